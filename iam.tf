# One role per function, each statement scoped to the one resource it needs.

locals {
  table_arn  = try(aws_dynamodb_table.this[0].arn, null)
  stream_arn = try(aws_dynamodb_table.this[0].stream_arn, null)
  queue_arn  = try(aws_sqs_queue.on_failure[0].arn, null)

  table_actions = {
    writer = ["dynamodb:GetItem", "dynamodb:PutItem"]
    # The processor only dispatches: it reads the stream, never the table.
    processor = []
    # The worker reads a request, claims it, records its outcome or releases it (updates).
    worker = ["dynamodb:GetItem", "dynamodb:UpdateItem"]
    # The checker seals requests past their deadline as TIMED_OUT (a conditional update).
    checker = ["dynamodb:GetItem", "dynamodb:UpdateItem"]
  }

  kms_statements = local.kms_key_arn == null ? [] : [{
    Sid      = "TrackerKmsKey"
    Effect   = "Allow"
    Action   = ["kms:Decrypt", "kms:GenerateDataKey"]
    Resource = local.kms_key_arn
  }]

  # X-Ray's PutTraceSegments and PutTelemetryRecords support no resource-level
  # permissions: "*" is the only resource AWS accepts for them.
  xray_statements = var.tracing_mode == null ? [] : [{
    Sid      = "XRayTracing"
    Effect   = "Allow"
    Action   = ["xray:PutTelemetryRecords", "xray:PutTraceSegments"]
    Resource = "*"
  }]

  processor_statements = [
    {
      Sid      = "TrackerStreamRead"
      Effect   = "Allow"
      Action   = ["dynamodb:DescribeStream", "dynamodb:GetRecords", "dynamodb:GetShardIterator"]
      Resource = local.stream_arn
    },
    {
      # dynamodb:ListStreams has no resource type in the Service Authorization Reference
      # (it lists the account's streams), so it can only be granted on "*"; it reveals
      # stream ARNs, never data. Lambda's event source mapping needs it.
      Sid      = "TrackerStreamList"
      Effect   = "Allow"
      Action   = ["dynamodb:ListStreams"]
      Resource = "*"
    },
    {
      # The event source mapping sends failed-batch records with the function's role.
      Sid      = "OnFailureQueueSend"
      Effect   = "Allow"
      Action   = ["sqs:SendMessage"]
      Resource = local.queue_arn
    },
  ]

  worker_statements = [
    {
      # Lambda sends the record of a worker event it gave up on to the on-failure
      # destination with the function's execution role.
      # https://docs.aws.amazon.com/lambda/latest/dg/invocation-async-retain-records.html
      Sid      = "OnFailureQueueSend"
      Effect   = "Allow"
      Action   = ["sqs:SendMessage"]
      Resource = local.queue_arn
    },
  ]

  role_policies = {
    for key, function in local.functions : key => jsonencode({
      Version = "2012-10-17"
      Statement = concat(
        length(local.table_actions[key]) == 0 ? [] : [
          {
            Sid      = "TrackerTable"
            Effect   = "Allow"
            Action   = local.table_actions[key]
            Resource = local.table_arn
          },
        ],
        [
          {
            Sid      = "OwnLogGroup"
            Effect   = "Allow"
            Action   = ["logs:CreateLogStream", "logs:PutLogEvents"]
            Resource = "${try(aws_cloudwatch_log_group.this[key].arn, "")}:*"
          },
        ],
        key == "processor" ? local.processor_statements : [],
        key == "worker" ? local.worker_statements : [],
        local.kms_statements,
        local.xray_statements,
      )
    })
  }
}

resource "aws_iam_role" "this" {
  for_each = local.create ? local.functions : {}

  name                 = each.value.name
  description          = "Execution role of the asynchronous tracker ${each.key} function ${each.value.name}"
  path                 = var.role_path
  permissions_boundary = var.role_permissions_boundary

  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Sid       = "LambdaAssumeRole"
      Effect    = "Allow"
      Action    = "sts:AssumeRole"
      Principal = { Service = "lambda.amazonaws.com" }
    }]
  })

  tags = local.tags

  # The packager's interpreter check runs before anything is created (packaging.tf).
  depends_on = [terraform_data.package]
}

resource "aws_iam_role_policy" "this" {
  for_each = local.create ? local.functions : {}

  name   = "${each.value.name}-access"
  role   = aws_iam_role.this[each.key].id
  policy = local.role_policies[each.key]
}

# The processor dispatches each request to the worker, and the worker hands a request over
# to a fresh invocation of itself: both may invoke the worker, nothing else. A policy of its
# own, because it names the worker's ARN and the functions depend on the roles' policies.
resource "aws_iam_role_policy" "invoke_worker" {
  for_each = local.create ? toset(["processor", "worker"]) : toset([])

  name = "${local.functions[each.key].name}-invoke-worker"
  role = aws_iam_role.this[each.key].id
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Sid      = "InvokeWorker"
      Effect   = "Allow"
      Action   = ["lambda:InvokeFunction"]
      Resource = aws_lambda_function.this["worker"].arn
    }]
  })
}

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

  # Lambda creates and deletes the worker's network interfaces in its VPC with the
  # function's own role: the EC2 actions of AWS's managed policy AWSLambdaVPCAccessExecutionRole
  # (its log actions are granted above). The interfaces are Lambda's, their IDs unknown in
  # advance, and the Describe actions support no resource-level permission: "*", as in that
  # policy. Only with worker_vpc_config.
  # https://docs.aws.amazon.com/lambda/latest/dg/configuration-vpc.html
  # https://docs.aws.amazon.com/aws-managed-policy/latest/reference/AWSLambdaVPCAccessExecutionRole.html
  worker_vpc_statements = var.worker_vpc_config == null ? [] : [{
    Sid    = "WorkerVpcNetworkInterfaces"
    Effect = "Allow"
    Action = [
      "ec2:AssignPrivateIpAddresses",
      "ec2:CreateNetworkInterface",
      "ec2:DeleteNetworkInterface",
      "ec2:DescribeNetworkInterfaces",
      "ec2:DescribeSubnets",
      "ec2:UnassignPrivateIpAddresses",
    ]
    Resource = "*"
  }]

  # The task secrets (task_secrets), each readable by the worker alone and only by its ARN.
  # Secrets Manager decrypts server-side with the caller's permission on the secret's key,
  # as SSM does for a SecureString: a customer-managed key needs kms:Decrypt, and only
  # through those services (kms:ViaService); the AWS-managed keys need no grant.
  # https://docs.aws.amazon.com/secretsmanager/latest/userguide/security-encryption.html
  task_secret_arns = {
    for service in ["secretsmanager", "ssm"] : service => sort([
      for arn in values(var.task_secrets) : arn if split(":", arn)[2] == service
    ])
  }
  task_secret_statements = concat(
    length(local.task_secret_arns.secretsmanager) == 0 ? [] : [{
      Sid      = "TaskSecretsRead"
      Effect   = "Allow"
      Action   = ["secretsmanager:GetSecretValue"]
      Resource = local.task_secret_arns.secretsmanager
    }],
    length(local.task_secret_arns.ssm) == 0 ? [] : [{
      Sid      = "TaskParametersRead"
      Effect   = "Allow"
      Action   = ["ssm:GetParameter"]
      Resource = local.task_secret_arns.ssm
    }],
    var.task_secrets_kms_key_arn == null ? [] : [{
      Sid      = "TaskSecretsKey"
      Effect   = "Allow"
      Action   = ["kms:Decrypt"]
      Resource = var.task_secrets_kms_key_arn
      Condition = {
        StringLike = {
          "kms:ViaService" = [for service, arns in local.task_secret_arns : "${service}.*.amazonaws.com" if length(arns) > 0]
        }
      }
    }],
  )

  # Each function's statements beyond the table and its log group (an object: the
  # statements differ in shape, Resource a string or a list, with or without Condition).
  function_statements = {
    writer    = []
    processor = local.processor_statements
    worker    = concat(local.worker_statements, local.worker_vpc_statements, local.task_secret_statements)
    checker   = []
  }

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
        local.function_statements[key],
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

# What your tasks need beyond the tracker (worker_policy_statements): a policy of its own on
# the worker's role, so the tracker's own policies stay exactly as they are.
resource "aws_iam_role_policy" "worker_statements" {
  count = local.create && length(var.worker_policy_statements) > 0 ? 1 : 0

  name = "${local.functions.worker.name}-task-access"
  role = aws_iam_role.this["worker"].id
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [
      for sid, statement in var.worker_policy_statements : merge(
        {
          Sid      = sid
          Effect   = statement.effect
          Action   = statement.actions
          Resource = statement.resources
        },
        # IAM's Condition: { operator = { key = values } }, only when there is one.
        { for key, value in {
          Condition = {
            for test in distinct([for condition in statement.condition : condition.test]) : test => {
              for condition in statement.condition : condition.variable => condition.values if condition.test == test
            }
          }
        } : key => value if length(statement.condition) > 0 },
      )
    ]
  })
}

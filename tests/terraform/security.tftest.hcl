# Security properties of the plan (docs: README "Guarantees"): least privilege per role,
# no wildcard but the two AWS offers no resource for, invoke permission scoped to the
# Connect instance, encryption at rest with the optional customer-managed key honoured end
# to end, log retention always set, tracker records expiring.

mock_provider "aws" {
  override_during = plan

  mock_resource "aws_dynamodb_table" {
    defaults = {
      arn        = "arn:aws:dynamodb:eu-west-1:111122223333:table/sec-tracker"
      stream_arn = "arn:aws:dynamodb:eu-west-1:111122223333:table/sec-tracker/stream/2025-01-01T00:00:00.000"
    }
  }
  mock_resource "aws_sqs_queue" {
    defaults = {
      arn = "arn:aws:sqs:eu-west-1:111122223333:sec-processor-failures"
      url = "https://sqs.eu-west-1.amazonaws.com/111122223333/sec-processor-failures"
    }
  }
  mock_resource "aws_iam_role" {
    defaults = {
      arn = "arn:aws:iam::111122223333:role/sec-role"
    }
  }
  mock_resource "aws_cloudwatch_log_group" {
    defaults = {
      arn = "arn:aws:logs:eu-west-1:111122223333:log-group:/aws/lambda/sec-function"
    }
  }
  mock_resource "aws_lambda_function" {
    defaults = {
      arn = "arn:aws:lambda:eu-west-1:111122223333:function:sec-function"
    }
  }
}

variables {
  name                 = "sec"
  kms_key_arn          = "arn:aws:kms:eu-west-1:111122223333:key/11111111-2222-4333-8444-555555555555"
  tracing_mode         = "Active"
  connect_instance_arn = "arn:aws:connect:eu-west-1:111122223333:instance/aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee"
}

run "every_role_has_exactly_the_actions_its_function_needs" {
  command = plan

  assert {
    condition = jsonencode({ for key, policy in aws_iam_role_policy.this : key => sort(distinct(flatten(concat(
      [for statement in jsondecode(policy.policy).Statement : statement.Action],
      [for statement in try(jsondecode(aws_iam_role_policy.invoke_worker[key].policy).Statement, []) : statement.Action],
      )))) }) == jsonencode({
      writer    = ["dynamodb:GetItem", "dynamodb:PutItem", "kms:Decrypt", "kms:GenerateDataKey", "logs:CreateLogStream", "logs:PutLogEvents", "xray:PutTelemetryRecords", "xray:PutTraceSegments"]
      checker   = ["dynamodb:GetItem", "dynamodb:UpdateItem", "kms:Decrypt", "kms:GenerateDataKey", "logs:CreateLogStream", "logs:PutLogEvents", "xray:PutTelemetryRecords", "xray:PutTraceSegments"]
      processor = ["dynamodb:DescribeStream", "dynamodb:GetRecords", "dynamodb:GetShardIterator", "dynamodb:ListStreams", "kms:Decrypt", "kms:GenerateDataKey", "lambda:InvokeFunction", "logs:CreateLogStream", "logs:PutLogEvents", "sqs:SendMessage", "xray:PutTelemetryRecords", "xray:PutTraceSegments"]
      worker    = ["dynamodb:GetItem", "dynamodb:UpdateItem", "kms:Decrypt", "kms:GenerateDataKey", "lambda:InvokeFunction", "logs:CreateLogStream", "logs:PutLogEvents", "sqs:SendMessage", "xray:PutTelemetryRecords", "xray:PutTraceSegments"]
    })
    error_message = "Each role must hold exactly the actions its function calls, with the key and tracing on."
  }
  assert {
    condition     = keys(aws_iam_role_policy.invoke_worker) == ["processor", "worker"] && alltrue([for key, policy in aws_iam_role_policy.invoke_worker : jsondecode(policy.policy).Statement == [{ Sid = "InvokeWorker", Effect = "Allow", Action = ["lambda:InvokeFunction"], Resource = aws_lambda_function.this["worker"].arn }] && policy.role == aws_iam_role.this[key].id])
    error_message = "Only the processor (dispatch) and the worker (hand-over) may invoke a function, and only the worker."
  }
  assert {
    condition     = alltrue(flatten([for policy in concat(values(aws_iam_role_policy.this), values(aws_iam_role_policy.invoke_worker)) : [for statement in jsondecode(policy.policy).Statement : statement.Effect == "Allow" && alltrue([for action in flatten([statement.Action]) : !strcontains(action, "*")])]]))
    error_message = "No action may be a wildcard."
  }
  assert {
    condition     = alltrue(flatten([for policy in concat(values(aws_iam_role_policy.this), values(aws_iam_role_policy.invoke_worker)) : [for statement in jsondecode(policy.policy).Statement : statement.Resource != "*" || contains(["TrackerStreamList", "XRayTracing"], statement.Sid)]]))
    error_message = "Only dynamodb:ListStreams and X-Ray (no resource-level permissions, justified in iam.tf) may use Resource \"*\"."
  }
  assert {
    condition = alltrue(flatten([for policy in concat(values(aws_iam_role_policy.this), values(aws_iam_role_policy.invoke_worker)) : [for statement in jsondecode(policy.policy).Statement : contains([
      "arn:aws:dynamodb:eu-west-1:111122223333:table/sec-tracker",
      "arn:aws:dynamodb:eu-west-1:111122223333:table/sec-tracker/stream/2025-01-01T00:00:00.000",
      "arn:aws:sqs:eu-west-1:111122223333:sec-processor-failures",
      "arn:aws:logs:eu-west-1:111122223333:log-group:/aws/lambda/sec-function:*",
      "arn:aws:lambda:eu-west-1:111122223333:function:sec-function",
      var.kms_key_arn,
    ], statement.Resource) if statement.Resource != "*"]]))
    error_message = "Every other statement must name one exact ARN: the table, its stream, the queue, the own log group, the worker or the key."
  }
  assert {
    condition     = alltrue([for policy in aws_iam_role_policy.this : length([for statement in jsondecode(policy.policy).Statement : statement if statement.Resource == "*"]) == (policy.name == "sec-processor-access" ? 2 : 1)])
    error_message = "Wildcard resources: X-Ray for each role, plus ListStreams for the processor, nothing else."
  }
  assert {
    condition     = length([for statement in jsondecode(aws_iam_role_policy.this["processor"].policy).Statement : statement if statement.Sid == "TrackerTable"]) == 0
    error_message = "The processor only dispatches: it must not touch the table."
  }
}

run "invoke_permission_is_scoped_to_the_connect_instance" {
  command = plan

  assert {
    condition     = keys(aws_lambda_permission.connect) == ["checker", "writer"] && alltrue([for permission in aws_lambda_permission.connect : permission.principal == "connect.amazonaws.com" && permission.action == "lambda:InvokeFunction" && permission.source_arn == var.connect_instance_arn])
    error_message = "Only writer and checker may be invoked, by Connect, from this one instance."
  }
}

run "customer_managed_key_is_honoured_end_to_end" {
  command = plan

  assert {
    condition     = aws_dynamodb_table.this[0].server_side_encryption[0].enabled && aws_dynamodb_table.this[0].server_side_encryption[0].kms_key_arn == var.kms_key_arn
    error_message = "The table must be encrypted with the customer-managed key."
  }
  assert {
    condition     = aws_sqs_queue.on_failure[0].kms_master_key_id == var.kms_key_arn && aws_sqs_queue.on_failure[0].sqs_managed_sse_enabled != true
    error_message = "The on-failure queue (it holds stream coordinates) must be encrypted with the key."
  }
  assert {
    condition     = alltrue([for function in aws_lambda_function.this : function.kms_key_arn == var.kms_key_arn]) && alltrue([for group in aws_cloudwatch_log_group.this : group.kms_key_id == var.kms_key_arn])
    error_message = "Function environments and log groups must be encrypted with the key."
  }
  assert {
    condition     = alltrue([for policy in aws_iam_role_policy.this : contains(jsondecode(policy.policy).Statement, { Sid = "TrackerKmsKey", Effect = "Allow", Action = ["kms:Decrypt", "kms:GenerateDataKey"], Resource = var.kms_key_arn })])
    error_message = "Every role may use that key (and no other) to read and write the encrypted table and queue."
  }
}

run "aws_managed_encryption_without_a_key" {
  command = plan

  variables {
    kms_key_arn = null
  }

  assert {
    # (the key ARN of aws/dynamodb is computed by AWS, so the mock cannot show it null)
    condition     = aws_dynamodb_table.this[0].server_side_encryption[0].enabled
    error_message = "Without a key the table must still be encrypted at rest (aws/dynamodb)."
  }
  assert {
    condition     = aws_sqs_queue.on_failure[0].sqs_managed_sse_enabled == true && aws_sqs_queue.on_failure[0].kms_master_key_id == null
    error_message = "Without a key the queue must use SSE-SQS."
  }
  assert {
    condition     = alltrue([for policy in aws_iam_role_policy.this : length([for statement in jsondecode(policy.policy).Statement : statement if startswith(statement.Sid, "TrackerKms")]) == 0])
    error_message = "Without a key no role gets KMS permissions."
  }
}

run "log_retention_is_always_set" {
  command = plan

  variables {
    logging = { retention_in_days = null }
  }

  assert {
    condition     = alltrue([for group in aws_cloudwatch_log_group.this : group.retention_in_days == 30]) && length(aws_cloudwatch_log_group.this) == 4
    error_message = "Every function's log group must have a retention, 30 days when none is given."
  }
}

run "tracker_records_expire" {
  command = plan

  variables {
    request_ttl_seconds = 7200
  }

  assert {
    condition     = aws_dynamodb_table.this[0].ttl[0].enabled && aws_dynamodb_table.this[0].ttl[0].attribute_name == "ExpiresAt"
    error_message = "DynamoDB must expire tracker records on ExpiresAt."
  }
  assert {
    condition     = aws_lambda_function.this["writer"].environment[0].variables.TRACKER_REQUEST_TTL_SECONDS == "7200"
    error_message = "The writer must stamp every record with ExpiresAt = creation + request_ttl_seconds."
  }
}

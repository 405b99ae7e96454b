# The worker's reach (issue 19): a VPC, secrets, libraries, layers, extra permissions and
# concurrency. Each input's IAM and function settings appear exactly when it is set, on the
# worker alone; the tracker's own statements and the other three roles stay as they are.
# Plan-only with a mocked provider.

mock_provider "aws" {
  override_during = plan

  mock_resource "aws_dynamodb_table" {
    defaults = {
      arn        = "arn:aws:dynamodb:eu-west-1:111122223333:table/reach-tracker"
      stream_arn = "arn:aws:dynamodb:eu-west-1:111122223333:table/reach-tracker/stream/2025-01-01T00:00:00.000"
    }
  }
  mock_resource "aws_sqs_queue" {
    defaults = {
      arn = "arn:aws:sqs:eu-west-1:111122223333:reach-processor-failures"
    }
  }
  mock_resource "aws_iam_role" {
    defaults = {
      arn = "arn:aws:iam::111122223333:role/reach-role"
      id  = "reach-role"
    }
  }
  mock_resource "aws_cloudwatch_log_group" {
    defaults = {
      arn = "arn:aws:logs:eu-west-1:111122223333:log-group:/aws/lambda/reach-function"
    }
  }
  mock_resource "aws_lambda_function" {
    defaults = {
      arn = "arn:aws:lambda:eu-west-1:111122223333:function:reach-function"
    }
  }
}

variables {
  name = "reach"
  # What a worker with none of these inputs holds: its statements and their actions.
  tracker_worker_statements = {
    TrackerTable       = ["dynamodb:GetItem", "dynamodb:UpdateItem"]
    OwnLogGroup        = ["logs:CreateLogStream", "logs:PutLogEvents"]
    OnFailureQueueSend = ["sqs:SendMessage"]
  }
  # The other roles' statements, which no input of the worker may change.
  other_role_statements = {
    writer    = { TrackerTable = ["dynamodb:GetItem", "dynamodb:PutItem"], OwnLogGroup = ["logs:CreateLogStream", "logs:PutLogEvents"] }
    processor = { OwnLogGroup = ["logs:CreateLogStream", "logs:PutLogEvents"], TrackerStreamRead = ["dynamodb:DescribeStream", "dynamodb:GetRecords", "dynamodb:GetShardIterator"], TrackerStreamList = ["dynamodb:ListStreams"], OnFailureQueueSend = ["sqs:SendMessage"] }
    checker   = { TrackerTable = ["dynamodb:GetItem", "dynamodb:UpdateItem"], OwnLogGroup = ["logs:CreateLogStream", "logs:PutLogEvents"] }
  }
}

run "none_of_them_set" {
  command = plan

  assert {
    condition     = { for statement in jsondecode(aws_iam_role_policy.this["worker"].policy).Statement : statement.Sid => statement.Action } == var.tracker_worker_statements
    error_message = "Without the inputs the worker's role holds the tracker's statements only."
  }
  assert {
    condition     = alltrue([for key, statements in var.other_role_statements : { for statement in jsondecode(aws_iam_role_policy.this[key].policy).Statement : statement.Sid => statement.Action } == statements])
    error_message = "The writer, processor and checker roles hold their own statements only."
  }
  assert {
    condition     = length(aws_iam_role_policy.worker_statements) == 0
    error_message = "No policy of the task's own without worker_policy_statements."
  }
  assert {
    condition     = alltrue([for function in aws_lambda_function.this : length(function.vpc_config) == 0 && function.layers == null])
    error_message = "No function is in a VPC or has layers without the inputs."
  }
  assert {
    condition     = length([for key in keys(aws_lambda_function.this["worker"].environment[0].variables) : key if startswith(key, "TRACKER_TASK_SECRET_")]) == 0
    error_message = "No secret is named to the worker without task_secrets."
  }
  assert {
    condition     = aws_lambda_function.this["worker"].reserved_concurrent_executions == 10 && alltrue([for key in ["writer", "processor", "checker"] : aws_lambda_function.this[key].reserved_concurrent_executions == null])
    error_message = "The worker is held to 10 by default (docs/execution.md); the writer, processor and checker are unreserved unless asked."
  }
}

run "worker_vpc_config" {
  command = plan

  variables {
    worker_vpc_config = {
      subnet_ids         = ["subnet-0123456789abcdef0", "subnet-89abcdef"]
      security_group_ids = ["sg-0123456789abcdef0"]
    }
  }

  assert {
    condition     = one(aws_lambda_function.this["worker"].vpc_config).subnet_ids == toset(["subnet-0123456789abcdef0", "subnet-89abcdef"]) && one(aws_lambda_function.this["worker"].vpc_config).security_group_ids == toset(["sg-0123456789abcdef0"]) && !one(aws_lambda_function.this["worker"].vpc_config).ipv6_allowed_for_dual_stack
    error_message = "The worker runs in the given subnets with the given security group, IPv6 off by default."
  }
  assert {
    condition     = alltrue([for key in ["writer", "processor", "checker"] : length(aws_lambda_function.this[key].vpc_config) == 0])
    error_message = "Only the worker joins the VPC."
  }
  assert {
    condition = { for statement in jsondecode(aws_iam_role_policy.this["worker"].policy).Statement : statement.Sid => statement.Action } == merge(var.tracker_worker_statements, {
      WorkerVpcNetworkInterfaces = ["ec2:AssignPrivateIpAddresses", "ec2:CreateNetworkInterface", "ec2:DeleteNetworkInterface", "ec2:DescribeNetworkInterfaces", "ec2:DescribeSubnets", "ec2:UnassignPrivateIpAddresses"]
    })
    error_message = "The worker gets exactly the EC2 actions of AWSLambdaVPCAccessExecutionRole, beside its own."
  }
  assert {
    condition     = alltrue([for key, statements in var.other_role_statements : { for statement in jsondecode(aws_iam_role_policy.this[key].policy).Statement : statement.Sid => statement.Action } == statements])
    error_message = "No other role gets network-interface permissions."
  }
}

run "worker_vpc_config_dual_stack" {
  command = plan

  variables {
    worker_vpc_config = {
      subnet_ids                  = ["subnet-0123456789abcdef0"]
      security_group_ids          = ["sg-01234567", "sg-89abcdef"]
      ipv6_allowed_for_dual_stack = true
    }
  }

  assert {
    condition     = one(aws_lambda_function.this["worker"].vpc_config).ipv6_allowed_for_dual_stack && length(one(aws_lambda_function.this["worker"].vpc_config).security_group_ids) == 2
    error_message = "ipv6_allowed_for_dual_stack reaches the worker's vpc_config."
  }
}

run "task_secrets" {
  command = plan

  variables {
    task_secrets = {
      BACKEND_TOKEN = "arn:aws:secretsmanager:eu-west-1:111122223333:secret:backend/token-AbCdEf"
      LEGACY_PIN    = "arn:aws:ssm:eu-west-1:111122223333:parameter/legacy/pin"
      OTHER_TOKEN   = "arn:aws:secretsmanager:eu-west-1:111122223333:secret:other-123456"
    }
  }

  assert {
    condition = jsondecode(aws_iam_role_policy.this["worker"].policy).Statement == concat(
      [for statement in jsondecode(aws_iam_role_policy.this["worker"].policy).Statement : statement if contains(keys(var.tracker_worker_statements), statement.Sid)],
      [
        { Sid = "TaskSecretsRead", Effect = "Allow", Action = ["secretsmanager:GetSecretValue"], Resource = ["arn:aws:secretsmanager:eu-west-1:111122223333:secret:backend/token-AbCdEf", "arn:aws:secretsmanager:eu-west-1:111122223333:secret:other-123456"] },
        { Sid = "TaskParametersRead", Effect = "Allow", Action = ["ssm:GetParameter"], Resource = ["arn:aws:ssm:eu-west-1:111122223333:parameter/legacy/pin"] },
      ],
    )
    error_message = "The worker may read exactly the named secrets and parameters, and nothing else is added without a key."
  }
  assert {
    condition     = { for key, value in aws_lambda_function.this["worker"].environment[0].variables : key => value if startswith(key, "TRACKER_TASK_SECRET_") } == { TRACKER_TASK_SECRET_BACKEND_TOKEN = "arn:aws:secretsmanager:eu-west-1:111122223333:secret:backend/token-AbCdEf", TRACKER_TASK_SECRET_LEGACY_PIN = "arn:aws:ssm:eu-west-1:111122223333:parameter/legacy/pin", TRACKER_TASK_SECRET_OTHER_TOKEN = "arn:aws:secretsmanager:eu-west-1:111122223333:secret:other-123456" }
    error_message = "The worker learns where each secret lives (its ARN, never its value)."
  }
  assert {
    condition     = alltrue([for key in ["writer", "processor", "checker"] : length([for name in keys(aws_lambda_function.this[key].environment[0].variables) : name if startswith(name, "TRACKER_TASK_SECRET_")]) == 0])
    error_message = "Only the worker is told about the secrets."
  }
  assert {
    condition     = alltrue([for key, statements in var.other_role_statements : { for statement in jsondecode(aws_iam_role_policy.this[key].policy).Statement : statement.Sid => statement.Action } == statements])
    error_message = "No other role may read the secrets."
  }
}

run "task_secrets_with_a_customer_managed_key" {
  command = plan

  variables {
    task_secrets             = { LEGACY_PIN = "arn:aws:ssm:eu-west-1:111122223333:parameter/legacy/pin" }
    task_secrets_kms_key_arn = "arn:aws:kms:eu-west-1:111122223333:key/11111111-2222-4333-8444-555555555555"
  }

  assert {
    condition     = [for statement in jsondecode(aws_iam_role_policy.this["worker"].policy).Statement : statement if statement.Sid == "TaskSecretsKey"] == [{ Sid = "TaskSecretsKey", Effect = "Allow", Action = ["kms:Decrypt"], Resource = "arn:aws:kms:eu-west-1:111122223333:key/11111111-2222-4333-8444-555555555555", Condition = { StringLike = { "kms:ViaService" = ["ssm.*.amazonaws.com"] } } }]
    error_message = "The worker may decrypt with the named key, only through the services that hold its secrets."
  }
  assert {
    condition     = alltrue([for key, statements in var.other_role_statements : { for statement in jsondecode(aws_iam_role_policy.this[key].policy).Statement : statement.Sid => statement.Action } == statements])
    error_message = "No other role gets the secrets' key."
  }
}

run "task_requirements_file" {
  command = plan

  variables {
    task_requirements_file = "./tests/terraform/fixtures/requirements/requirements.txt"
    lambda_architecture    = "arm64"
  }

  assert {
    condition     = terraform_data.package[0].triggers_replace.source_hash == output.lambda_source_hash
    error_message = "The build is triggered by the hash that covers the requirements file."
  }
  assert {
    condition     = output.lambda_source_hash != run.none_of_them_set.lambda_source_hash
    error_message = "A requirements file changes the package hash."
  }
  assert {
    condition     = alltrue([for function in aws_lambda_function.this : function.layers == null])
    error_message = "A requirements file adds no layer."
  }
}

run "task_requirements_file_follows_the_architecture" {
  command = plan

  variables {
    task_requirements_file = "./tests/terraform/fixtures/requirements/requirements.txt"
    lambda_architecture    = "x86_64"
  }

  assert {
    condition     = output.lambda_source_hash != run.task_requirements_file.lambda_source_hash && output.lambda_source_hash != run.none_of_them_set.lambda_source_hash
    error_message = "The libraries are installed per architecture: another architecture is another package."
  }
}

run "worker_layers" {
  command = plan

  variables {
    worker_layers = ["arn:aws:lambda:eu-west-1:111122223333:layer:core-banking-client:7", "arn:aws:lambda:eu-west-1:111122223333:layer:certificates:2"]
  }

  assert {
    condition     = aws_lambda_function.this["worker"].layers == tolist(["arn:aws:lambda:eu-west-1:111122223333:layer:core-banking-client:7", "arn:aws:lambda:eu-west-1:111122223333:layer:certificates:2"])
    error_message = "The worker loads the layers in the order given."
  }
  assert {
    condition     = alltrue([for key in ["writer", "processor", "checker"] : aws_lambda_function.this[key].layers == null])
    error_message = "Only the worker gets the layers."
  }
  assert {
    condition     = output.lambda_source_hash == run.none_of_them_set.lambda_source_hash
    error_message = "Layers do not change the package."
  }
}

run "worker_policy_statements" {
  command = plan

  variables {
    worker_policy_statements = {
      ReadStatements = {
        actions   = ["s3:GetObject"]
        resources = ["arn:aws:s3:::core-banking-statements/*"]
      }
      DenyOutsideVpce = {
        effect    = "Deny"
        actions   = ["s3:*"]
        resources = ["*"]
        condition = [
          { test = "StringNotEquals", variable = "aws:SourceVpce", values = ["vpce-0123456789abcdef0"] },
          { test = "StringNotEquals", variable = "aws:ResourceAccount", values = ["111122223333"] },
          { test = "Bool", variable = "aws:SecureTransport", values = ["true"] },
        ]
      }
    }
  }

  assert {
    condition = jsondecode(aws_iam_role_policy.worker_statements[0].policy) == {
      Version = "2012-10-17"
      Statement = [
        {
          Sid      = "DenyOutsideVpce"
          Effect   = "Deny"
          Action   = ["s3:*"]
          Resource = ["*"]
          Condition = {
            StringNotEquals = { "aws:SourceVpce" = ["vpce-0123456789abcdef0"], "aws:ResourceAccount" = ["111122223333"] }
            Bool            = { "aws:SecureTransport" = ["true"] }
          }
        },
        { Sid = "ReadStatements", Effect = "Allow", Action = ["s3:GetObject"], Resource = ["arn:aws:s3:::core-banking-statements/*"] },
      ]
    }
    error_message = "The statements are written as given: Sid from the key, Allow by default, conditions grouped by operator."
  }
  assert {
    condition     = aws_iam_role_policy.worker_statements[0].role == aws_iam_role.this["worker"].id && aws_iam_role_policy.worker_statements[0].name == "reach-worker-task-access"
    error_message = "The statements go to the worker's role, as a policy of their own."
  }
  assert {
    condition     = { for statement in jsondecode(aws_iam_role_policy.this["worker"].policy).Statement : statement.Sid => statement.Action } == var.tracker_worker_statements
    error_message = "The worker's tracker policy is unchanged."
  }
  assert {
    condition     = alltrue([for key, statements in var.other_role_statements : { for statement in jsondecode(aws_iam_role_policy.this[key].policy).Statement : statement.Sid => statement.Action } == statements])
    error_message = "No other role changes."
  }
}

run "concurrency_of_every_function" {
  command = plan

  variables {
    functions = {
      writer  = { reserved_concurrent_executions = 50 }
      checker = { reserved_concurrent_executions = 100 }
      worker  = { reserved_concurrent_executions = 20 }
    }
  }

  assert {
    condition     = aws_lambda_function.this["writer"].reserved_concurrent_executions == 50 && aws_lambda_function.this["checker"].reserved_concurrent_executions == 100 && aws_lambda_function.this["worker"].reserved_concurrent_executions == 20 && aws_lambda_function.this["processor"].reserved_concurrent_executions == null
    error_message = "Each function gets the concurrency asked for."
  }
}

run "an_unbounded_worker_said_explicitly" {
  command = plan

  variables {
    functions = { worker = { reserved_concurrent_executions = -1 } }
  }

  assert {
    condition     = aws_lambda_function.this["worker"].reserved_concurrent_executions == -1
    error_message = "-1 leaves the worker unreserved (the provider's and Lambda's unreserved setting)."
  }
}

run "a_null_worker_limit_is_the_default" {
  command = plan

  variables {
    functions = { worker = { reserved_concurrent_executions = null } }
  }

  assert {
    condition     = aws_lambda_function.this["worker"].reserved_concurrent_executions == 10
    error_message = "An unset worker limit is the documented default, never unbounded."
  }
}

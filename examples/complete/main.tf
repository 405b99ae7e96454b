# Complete: every feature of the module. A customer-managed KMS key (created here)
# encrypts the table, the queue, the log groups, the functions' environment and the topic
# the module's alarms notify; your own task code (./tasks) is packaged beside
# connect_tracker with the library it calls its backend through (./requirements.txt); the
# worker runs in your VPC beside that backend, reads its token from Secrets Manager and is
# held to the backend's capacity; the flow is published to the Amazon Connect instance
# given as var.connect_instance_arn.

provider "aws" {
  region = var.region
}

data "aws_caller_identity" "current" {}
data "aws_partition" "current" {}
data "aws_region" "current" {}

locals {
  account_id = data.aws_caller_identity.current.account_id
  partition  = data.aws_partition.current.partition
  region     = data.aws_region.current.name
}

resource "aws_kms_key" "tracker" {
  description             = "Encrypts the ${var.name} asynchronous tracker's data and logs"
  enable_key_rotation     = true
  deletion_window_in_days = 7

  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [
      {
        # Key administration and use through IAM policies of this account (the module
        # grants its roles kms:Decrypt/GenerateDataKey on this key only).
        Sid       = "AccountAdministration"
        Effect    = "Allow"
        Principal = { AWS = "arn:${local.partition}:iam::${local.account_id}:root" }
        Action    = "kms:*"
        Resource  = "*"
      },
      {
        # CloudWatch Logs encrypts only this tracker's log groups with the key.
        Sid       = "CloudWatchLogs"
        Effect    = "Allow"
        Principal = { Service = "logs.${local.region}.amazonaws.com" }
        Action    = ["kms:Encrypt*", "kms:Decrypt*", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:Describe*"]
        Resource  = "*"
        Condition = {
          ArnLike = {
            "kms:EncryptionContext:aws:logs:arn" = "arn:${local.partition}:logs:${local.region}:${local.account_id}:log-group:/aws/lambda/${var.name}-*"
          }
        }
      },
      {
        # CloudWatch alarms publish to the alarm topic, which this key encrypts:
        # https://docs.aws.amazon.com/sns/latest/dg/sns-key-management.html#compatibility-with-aws-services
        Sid       = "CloudWatchAlarmsToEncryptedTopic"
        Effect    = "Allow"
        Principal = { Service = "cloudwatch.amazonaws.com" }
        Action    = ["kms:Decrypt", "kms:GenerateDataKey*"]
        Resource  = "*"
        Condition = {
          StringEquals = { "aws:SourceAccount" = local.account_id }
          ArnLike      = { "aws:SourceArn" = "arn:${local.partition}:cloudwatch:${local.region}:${local.account_id}:alarm:${var.name}-*" }
        }
      },
    ]
  })

  tags = var.tags
}

# The module's alarms notify this topic on ALARM and back to OK: subscribe the on-call
# (e-mail, chat, paging tool) to it.
resource "aws_sns_topic" "alarms" {
  name              = "${var.name}-alarms"
  kms_master_key_id = aws_kms_key.tracker.arn

  tags = var.tags
}

resource "aws_kms_alias" "tracker" {
  name          = "alias/${var.name}"
  target_key_id = aws_kms_key.tracker.key_id
}

module "tracker" {
  source = "../../"

  name        = var.name
  tags        = var.tags
  kms_key_arn = aws_kms_key.tracker.arn

  table = {
    point_in_time_recovery = true
    deletion_protection    = var.deletion_protection
  }

  request_deadline_seconds = 180
  request_ttl_seconds      = 7 * 24 * 3600
  default_task             = "account_balance"
  sensitive_parameters     = ["AccountId"]
  consistent_read          = true
  # Each poll's checker waits up to 3 s for the result (it needs a timeout of at least 7 s).
  checker_wait_seconds = 3

  task_source_dir        = "${path.module}/tasks"
  task_package_name      = "account_tasks"
  task_requirements_file = "${path.module}/requirements.txt"
  task_environment = {
    CORE_BANKING_URL = var.core_banking_url
  }
  # The backend's token: the worker alone may read this secret (context.secret).
  task_secrets = {
    CORE_BANKING_TOKEN = var.core_banking_token_secret_arn
  }
  task_secrets_kms_key_arn = var.core_banking_token_kms_key_arn

  # Only the worker joins the VPC: the backend is private; the VPC needs a DynamoDB
  # gateway endpoint and Lambda and Secrets Manager interface endpoints, or a NAT gateway
  # (docs/operations.md).
  worker_vpc_config = {
    subnet_ids         = var.worker_subnet_ids
    security_group_ids = var.worker_security_group_ids
  }
  worker_layers = var.worker_layers
  # The task publishes the backend's latency, in its own namespace only.
  worker_policy_statements = {
    PublishBackendLatency = {
      actions   = ["cloudwatch:PutMetricData"]
      resources = ["*"]
      condition = [{ test = "StringEquals", variable = "cloudwatch:namespace", values = ["CoreBanking"] }]
    }
  }

  lambda_runtime      = "python3.13"
  lambda_architecture = "arm64"
  # The worker's limit is what the backend takes (arrival rate x task duration must stay
  # below it: docs/execution.md); the writer and checker keep concurrency of their own, so
  # no burst of workers throttles Connect's calls.
  functions = {
    writer    = { memory_size = 256, timeout = 7, reserved_concurrent_executions = 50 }
    processor = { memory_size = 256, timeout = 60 }
    worker    = { memory_size = 512, timeout = 240, reserved_concurrent_executions = var.core_banking_concurrency }
    checker   = { memory_size = 256, timeout = 7, reserved_concurrent_executions = 100 }
  }
  logging = {
    application_log_level = "INFO"
    system_log_level      = "WARN"
    retention_in_days     = 90
  }
  tracing_mode = "Active"

  role_path                 = "/connect-tracker/"
  role_permissions_boundary = var.role_permissions_boundary

  stream = {
    batch_size                         = 5
    maximum_batching_window_in_seconds = 1
    parallelization_factor             = 2
    bisect_batch_on_function_error     = true
    maximum_retry_attempts             = 3
    maximum_record_age_in_seconds      = 900
  }
  on_failure_queue = {
    message_retention_seconds         = 7 * 24 * 3600
    kms_data_key_reuse_period_seconds = 300
  }

  alarms = {
    period_seconds      = 60
    evaluation_periods  = 3
    datapoints_to_alarm = 2
    thresholds = {
      stream_iterator_age_ms  = 90000 # half the request deadline
      checker_unknown_answers = 5
    }
  }
  alarm_actions    = [aws_sns_topic.alarms.arn]
  ok_actions       = [aws_sns_topic.alarms.arn]
  create_dashboard = true

  connect_instance_arn = var.connect_instance_arn
  contact_flow = {
    name                          = "${var.name}-account-balance"
    description                   = "Looks up the caller's account balance while keeping them company."
    invocation_time_limit_seconds = 8
    task_name                     = "account_balance"
    task_parameters = {
      AccountId = "$.Attributes.AccountId"
      Caller    = "$.CustomerEndpoint.Address"
    }
    result_fields = ["Balance", "Currency"]
    prompts = {
      greeting         = "Thanks for calling. Let me fetch your balance."
      holding          = "Still looking, thank you for your patience."
      thank_you_prefix = "Thank you for waiting. Your balance is"
      apology          = "Sorry, we cannot get your balance right now. Please call again later."
    }
  }
}

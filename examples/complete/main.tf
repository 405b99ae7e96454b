# Complete: every feature of the module. A customer-managed KMS key (created here)
# encrypts the table, the queue, the log groups, the functions' environment and the topic
# the module's alarms notify; your own task code (./tasks) is packaged beside
# connect_tracker; the flow is published to the Amazon Connect instance given as
# var.connect_instance_arn.

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

  task_source_dir   = "${path.module}/tasks"
  task_package_name = "account_tasks"
  task_environment = {
    BALANCE_API_URL = var.balance_api_url
  }

  lambda_runtime      = "python3.13"
  lambda_architecture = "arm64"
  functions = {
    writer    = { memory_size = 256, timeout = 7, reserved_concurrent_executions = 50 }
    processor = { memory_size = 256, timeout = 60 }
    worker    = { memory_size = 512, timeout = 240, reserved_concurrent_executions = 20 }
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

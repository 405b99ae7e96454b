# The benchmark stack: the module as a caller deploys it, on the sandbox, plus a "floor"
# function: a no-op consumer of the same table stream through an event source mapping with
# the same filter and the same batching settings, which only records when each record
# reached it. Its latency is what the emulator's stream + mapping cost by themselves.

provider "aws" {
  region     = "us-east-1"
  access_key = "test"
  secret_key = "test"

  skip_credentials_validation = true
  skip_metadata_api_check     = true
  skip_requesting_account_id  = true
  skip_region_validation      = true
  # The package bucket is addressed on the sandbox's one endpoint, not as <bucket>.<host>.
  s3_use_path_style = true

  endpoints {
    dynamodb = var.endpoint
    iam      = var.endpoint
    kms      = var.endpoint
    lambda   = var.endpoint
    logs     = var.endpoint
    sqs      = var.endpoint
    s3       = var.endpoint
    sts      = var.endpoint
  }
}

module "tracker" {
  source = "../.."

  name          = var.name
  artifacts_dir = "${path.module}/builds"

  enable_demo_tasks        = true
  default_task             = "simulated_backend"
  request_deadline_seconds = 120
  request_ttl_seconds      = 3600
  consistent_read          = var.consistent_read
  task_environment = {
    SIMULATED_DELAY_SECONDS = "0"
  }

  lambda_runtime = "python3.13"
  functions = {
    processor = { timeout = 120 }
  }
  logging = {
    application_log_level = "INFO"
    system_log_level      = "INFO"
    retention_in_days     = 1
  }

  stream = {
    batch_size                         = var.batch_size
    maximum_batching_window_in_seconds = var.maximum_batching_window_in_seconds
    parallelization_factor             = var.parallelization_factor
    maximum_retry_attempts             = 2
  }
  # The bench measures the tracker, not the emulator's alarms: LocalStack's metric filters
  # match every line of every log group and would add work to every log batch. The alarms
  # are applied and tested in the integration tier (tests/integration/test_alarms.py).
  alarms = { create = false }

  contact_flow = {
    poll_interval_seconds = 5
    task_name             = "simulated_backend"
    task_parameters       = { DelaySeconds = "$.Attributes.DelaySeconds" }
    result_fields         = ["Message"]
    prompts = {
      greeting         = "Hello."
      holding          = "Please hold."
      thank_you_prefix = "Thanks."
      apology          = "Sorry."
    }
  }
}

resource "aws_iam_role" "floor" {
  name = "${var.name}-floor"
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Principal = { Service = "lambda.amazonaws.com" }
      Action    = "sts:AssumeRole"
    }]
  })
}

resource "aws_iam_role_policy" "floor" {
  name = "stream-and-logs"
  role = aws_iam_role.floor.id
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [
      {
        Effect   = "Allow"
        Action   = ["dynamodb:DescribeStream", "dynamodb:GetRecords", "dynamodb:GetShardIterator", "dynamodb:ListStreams"]
        Resource = module.tracker.tracker_table_stream_arn
      },
      {
        Effect   = "Allow"
        Action   = ["logs:CreateLogStream", "logs:PutLogEvents"]
        Resource = "${aws_cloudwatch_log_group.floor.arn}:*"
      },
    ]
  })
}

resource "aws_cloudwatch_log_group" "floor" {
  name              = "/aws/lambda/${var.name}-floor"
  retention_in_days = 1
}

resource "aws_lambda_function" "floor" {
  function_name    = "${var.name}-floor"
  role             = aws_iam_role.floor.arn
  handler          = "floor.handler"
  runtime          = "python3.13"
  memory_size      = 256
  timeout          = 30
  filename         = var.floor_package_path
  source_code_hash = filebase64sha256(var.floor_package_path)

  depends_on = [aws_iam_role_policy.floor, aws_cloudwatch_log_group.floor]
}

resource "aws_lambda_event_source_mapping" "floor" {
  event_source_arn                   = module.tracker.tracker_table_stream_arn
  function_name                      = aws_lambda_function.floor.arn
  starting_position                  = "LATEST"
  batch_size                         = var.batch_size
  maximum_batching_window_in_seconds = var.maximum_batching_window_in_seconds
  parallelization_factor             = var.parallelization_factor
  maximum_retry_attempts             = 2
  function_response_types            = ["ReportBatchItemFailures"]

  # The module's own filter: only newly created pending requests.
  filter_criteria {
    filter {
      pattern = jsonencode({
        eventName = ["INSERT"]
        dynamodb  = { NewImage = { Status = { S = ["PENDING"] } } }
      })
    }
  }

  depends_on = [aws_iam_role_policy.floor]
}

# The floor: a no-op consumer of the tracker table's stream (floor.py beside this file),
# with the module's filter and the batching given, that only logs when each record
# reached it. The bench (bench/stack) and the load tier (tests/reliability/stack) measure
# the stream's own delivery with it, in the same run as the tracker.

terraform {
  required_providers {
    aws = {
      source = "hashicorp/aws"
    }
  }
}

variable "name" {
  description = "Name of the function and prefix of its role and log group."
  type        = string
}

variable "stream_arn" {
  description = "ARN of the tracker table's stream (the module's tracker_table_stream_arn)."
  type        = string
}

variable "package_path" {
  description = "Zip holding floor.py at its root (bench.run.build_floor writes it)."
  type        = string
}

variable "batch_size" {
  description = "Event source mapping batch size: the tracker's processor's."
  type        = number
  default     = 100
}

variable "maximum_batching_window_in_seconds" {
  description = "Event source mapping batching window: the tracker's processor's."
  type        = number
  default     = 0
}

variable "parallelization_factor" {
  description = "Event source mapping parallelization factor: the tracker's processor's."
  type        = number
  default     = 1
}

resource "aws_iam_role" "floor" {
  name = var.name
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
        Resource = var.stream_arn
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
  name              = "/aws/lambda/${var.name}"
  retention_in_days = 1
}

resource "aws_lambda_function" "floor" {
  function_name    = var.name
  role             = aws_iam_role.floor.arn
  handler          = "floor.handler"
  runtime          = "python3.13"
  memory_size      = 256
  timeout          = 30
  filename         = var.package_path
  source_code_hash = filebase64sha256(var.package_path)

  depends_on = [aws_iam_role_policy.floor, aws_cloudwatch_log_group.floor]
}

resource "aws_lambda_event_source_mapping" "floor" {
  event_source_arn                   = var.stream_arn
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

output "function_name" {
  description = "Name of the floor function."
  value       = aws_lambda_function.floor.function_name
}

output "log_group" {
  description = "Log group the floor's receipts are written to."
  value       = aws_cloudwatch_log_group.floor.name
}

output "mapping_uuid" {
  description = "UUID of the floor's event source mapping."
  value       = aws_lambda_event_source_mapping.floor.uuid
}

# The fault stack: the module as a user would deploy it, tuned so faults show quickly and
# the processor (the stream's dispatcher) is throttled: reserved concurrency 1, a short
# request deadline, the worker unreserved (see worker_reserved_concurrency), and a side-effect table
# the test tasks count their runs in (tests/reliability/tasks).

terraform {
  required_version = ">= 1.9"

  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = ">= 5.76"
    }
  }
}

provider "aws" {
  region     = var.region
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

variable "endpoint" {
  description = "URL of the LocalStack sandbox every AWS service is called at."
  type        = string
}

variable "region" {
  description = "Region the sandbox pretends to be."
  type        = string
  default     = "us-east-1"
}

variable "name" {
  description = "Prefix of every resource name (each test run its own)."
  type        = string
}

variable "request_deadline_seconds" {
  description = "Seconds until an unfinished request is sealed TIMED_OUT."
  type        = number
  default     = 20
}

variable "processor_timeout" {
  description = "The processor's own time limit in seconds (above the deadline)."
  type        = number
  default     = 60
}

variable "processor_reserved_concurrency" {
  description = "Reserved concurrency of the processor (1: throttled under a burst; null: the module's default, unreserved)."
  type        = number
  default     = 1
}

variable "worker_reserved_concurrency" {
  description = "Reserved concurrency of the worker: -1 (default) unreserved, so the fault tier's bursts of 20 start side by side; null: the module's default of 10 (the load test); test_worker_concurrency.py holds it to a few."
  type        = number
  default     = -1
}

variable "worker_retry_attempts" {
  description = "How often Lambda retries a worker event whose invocation failed (worker_async_invocation.maximum_retry_attempts: 0-2, the module's default 2)."
  type        = number
  default     = 2
}

variable "floor_package_path" {
  description = "Zip of the no-op floor function (bench/floor/floor.py): when set, a second consumer of the table's stream, with the module's filter and batching, that only records when each record reached it (the load test's measure of the emulator's own delivery). null: none."
  type        = string
  default     = null
}

variable "sensitive_parameters" {
  description = "Parameter names never logged in clear."
  type        = list(string)
  default     = ["AccountPin"]
}

resource "aws_dynamodb_table" "effects" {
  #checkov:skip=CKV_AWS_28:Test-only side-effect table on the sandbox.
  #checkov:skip=CKV_AWS_119:Test-only side-effect table on the sandbox.
  #checkov:skip=CKV2_AWS_16:Test-only side-effect table on the sandbox.
  name         = "${var.name}-effects"
  billing_mode = "PAY_PER_REQUEST"
  hash_key     = "RequestId"

  attribute {
    name = "RequestId"
    type = "S"
  }
}

module "tracker" {
  source = "../../.."

  name          = var.name
  artifacts_dir = "${path.module}/builds"

  task_source_dir = "${path.module}/../tasks/reliability_tasks"
  task_modules    = ["reliability_tasks"]

  request_deadline_seconds = var.request_deadline_seconds
  request_ttl_seconds      = 3600
  sensitive_parameters     = var.sensitive_parameters
  log_parameters_in_clear  = ["Fault", "Value"]
  task_environment = {
    EFFECTS_TABLE = aws_dynamodb_table.effects.name
  }

  functions = {
    processor = {
      timeout                        = var.processor_timeout
      reserved_concurrent_executions = var.processor_reserved_concurrency
    }
    # The module requires the worker's timeout to cover the deadline plus the outcome write.
    worker = {
      timeout                        = var.request_deadline_seconds + 40
      reserved_concurrent_executions = var.worker_reserved_concurrency
    }
  }
  logging = {
    application_log_level = "INFO"
    retention_in_days     = 1
  }
  stream = {
    maximum_retry_attempts = 2
  }
  worker_async_invocation = {
    maximum_retry_attempts = var.worker_retry_attempts
  }
  # The alarms are applied and tested in the integration tier (tests/integration/
  # test_alarms.py). Here they would only add emulator work to every log batch: LocalStack's
  # metric filters match every line of every log group (no pattern matching).
  alarms = { create = false }
}

# The test tasks record each run in the side-effect table: the worker's role may update
# that one table, nothing else.
resource "aws_iam_role_policy" "effects" {
  name = "${var.name}-worker-effects"
  role = "${var.name}-worker"
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Sid      = "SideEffectTable"
      Effect   = "Allow"
      Action   = ["dynamodb:UpdateItem"]
      Resource = aws_dynamodb_table.effects.arn
    }]
  })
  depends_on = [module.tracker]
}

output "effects_table_name" {
  description = "Side-effect table the test tasks count their runs in."
  value       = aws_dynamodb_table.effects.name
}

# The floor (bench/floor): a no-op consumer of the same stream with the module's filter and
# default batching. Only with floor_package_path set.
module "floor" {
  source = "../../../bench/floor"
  count  = var.floor_package_path == null ? 0 : 1

  name         = "${var.name}-floor"
  stream_arn   = module.tracker.tracker_table_stream_arn
  package_path = var.floor_package_path
}

output "floor_log_group" {
  description = "Log group of the no-op floor consumer (null without floor_package_path)."
  value       = var.floor_package_path == null ? null : module.floor[0].log_group
}

# Every output of the module, under one name: the tests read the same names as the
# integration tier (writer_function_name, log_group_names, ...).
output "tracker" {
  description = "The module's outputs."
  value       = module.tracker
}

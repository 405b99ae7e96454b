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
    # Unreserved: the bench measures the design's own pace, not the default limit of 10.
    worker = { reserved_concurrent_executions = -1 }
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
    # The bench changes the mapping between its steps, and LocalStack's stream poller keeps
    # no checkpoint across a change: it starts again at the starting position
    # (pollers/dynamodb_poller.py initialize_shards), so at the module's TRIM_HORIZON each
    # step would first re-read the whole stream (the throughput step timed out priming,
    # 2026-12-02). LATEST, as the floor's mapping, starts each step where the stream is.
    starting_position = "LATEST"
  }
  # The bench measures the tracker, not the emulator's alarms: LocalStack's metric filters
  # match every line of every log group and would add work to every log batch. The alarms
  # are applied and tested in the integration tier (tests/integration/test_alarms.py).
  alarms = { create = false }

  contact_flow = {
    task_name       = "simulated_backend"
    task_parameters = { DelaySeconds = "$.Attributes.DelaySeconds" }
    result_fields   = ["Message"]
    # The module's own prompts: the caller-experience step measures the default flow, and
    # its time to result is judged against the default greeting's length (issue 20).
  }
}

module "floor" {
  source = "../floor"

  name                               = "${var.name}-floor"
  stream_arn                         = module.tracker.tracker_table_stream_arn
  package_path                       = var.floor_package_path
  batch_size                         = var.batch_size
  maximum_batching_window_in_seconds = var.maximum_batching_window_in_seconds
  parallelization_factor             = var.parallelization_factor
}

# The caller's journey at the module's own scale (issue 10's proof): the tracker with a
# 120-second request deadline and its flow published to the sandbox's Connect emulator.
# Applied by tests/integration/test_long_calls.py (its own state, next to the integration
# stack of examples/localstack, whose deadline is 20 s); nothing else: no alarms, no
# dashboard, no flow module, so the apply and the destroy stay short.

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
    cloudwatch = var.endpoint
    connect    = var.endpoint
    dynamodb   = var.endpoint
    iam        = var.endpoint
    kms        = var.endpoint
    lambda     = var.endpoint
    logs       = var.endpoint
    sns        = var.endpoint
    sqs        = var.endpoint
    s3         = var.endpoint
    sts        = var.endpoint
  }
}

resource "aws_connect_instance" "sandbox" {
  instance_alias           = "${lower(replace(var.name, "_", "-"))}-center"
  identity_management_type = "CONNECT_MANAGED"
  inbound_calls_enabled    = true
  outbound_calls_enabled   = false
}

module "tracker" {
  source = "../../../"

  name          = var.name
  artifacts_dir = "${path.module}/builds"

  # simulated_backend works DelaySeconds (the contact's WorkSeconds attribute) seconds.
  enable_demo_tasks        = true
  default_task             = "simulated_backend"
  request_deadline_seconds = var.request_deadline_seconds
  request_ttl_seconds      = 3600
  log_parameters_in_clear  = ["DelaySeconds"]

  lambda_runtime    = var.lambda_runtime
  python_executable = var.python_executable
  functions = {
    # The worker runs a task until the request's deadline and keeps 15 s to record it
    # (the module's precondition: worker timeout >= request_deadline_seconds + 15).
    # One environment per contact of the proof (twelve at once), above the default of 10.
    worker = { timeout = var.request_deadline_seconds + 15, reserved_concurrent_executions = 12 }
  }
  logging = {
    application_log_level = "INFO"
    retention_in_days     = 1
  }

  alarms = { create = false }

  connect_instance_arn     = aws_connect_instance.sandbox.arn
  create_connect_resources = true
  contact_flow = {
    task_name       = "simulated_backend"
    task_parameters = { DelaySeconds = "$.Attributes.WorkSeconds" }
    result_fields   = ["Message"]
  }
}

# A real legacy backend's deployment (issue 19's proof), on the sandbox: the worker in a
# VPC (subnet and security group created in the sandbox's EC2), reading its backend's token
# from Secrets Manager, calling the backend through a library named only in a requirements
# file (examples/complete's task and requirements.txt), held to a reserved concurrency.
# Applied by tests/integration/test_backend.py, which serves the slow backend on this host.

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
    cloudwatch     = var.endpoint
    dynamodb       = var.endpoint
    ec2            = var.endpoint
    iam            = var.endpoint
    kms            = var.endpoint
    lambda         = var.endpoint
    logs           = var.endpoint
    secretsmanager = var.endpoint
    sqs            = var.endpoint
    s3             = var.endpoint
    sts            = var.endpoint
  }
}

resource "aws_vpc" "backend" {
  cidr_block = "10.42.0.0/16"
  tags       = { Name = "${var.name}-backend" }
}

resource "aws_subnet" "workers" {
  vpc_id     = aws_vpc.backend.id
  cidr_block = "10.42.1.0/24"
  tags       = { Name = "${var.name}-workers" }
}

resource "aws_security_group" "worker" {
  #checkov:skip=CKV2_AWS_5:Attached to the worker's network interfaces by Lambda.
  name        = "${var.name}-worker"
  description = "The worker's network interfaces: out to the backend and the VPC endpoints"
  vpc_id      = aws_vpc.backend.id

  egress {
    description = "To the backend and the endpoints"
    from_port   = 0
    to_port     = 0
    protocol    = "-1"
    cidr_blocks = ["0.0.0.0/0"]
  }
}

resource "aws_secretsmanager_secret" "token" {
  #checkov:skip=CKV2_AWS_57:A test secret on the sandbox; rotation is the estate's.
  #checkov:skip=CKV_AWS_149:A test secret on the sandbox; the aws/secretsmanager key.
  name                    = "${var.name}/core-banking/token"
  recovery_window_in_days = 0
}

resource "aws_secretsmanager_secret_version" "token" {
  secret_id     = aws_secretsmanager_secret.token.id
  secret_string = var.backend_token
}

module "tracker" {
  source = "../../../"

  name          = var.name
  artifacts_dir = "${path.module}/builds"

  task_source_dir        = "${path.module}/../../../examples/complete/tasks"
  task_package_name      = "account_tasks"
  task_requirements_file = var.requirements_file
  task_environment = {
    CORE_BANKING_URL = var.backend_url
  }
  task_secrets = {
    CORE_BANKING_TOKEN = aws_secretsmanager_secret.token.arn
  }
  worker_vpc_config = {
    subnet_ids         = [aws_subnet.workers.id]
    security_group_ids = [aws_security_group.worker.id]
  }
  worker_policy_statements = {
    PublishBackendLatency = {
      actions   = ["cloudwatch:PutMetricData"]
      resources = ["*"]
      condition = [{ test = "StringEquals", variable = "cloudwatch:namespace", values = ["CoreBanking"] }]
    }
  }

  request_deadline_seconds = var.request_deadline_seconds
  request_ttl_seconds      = 3600
  lambda_runtime           = var.lambda_runtime
  python_executable        = var.python_executable
  functions = {
    worker = { timeout = var.request_deadline_seconds + 15, reserved_concurrent_executions = 5 }
  }
  logging = {
    application_log_level = "INFO"
    retention_in_days     = 1
  }
  alarms = { create = false }

  # The secret's value must exist before the first task reads it.
  depends_on = [aws_secretsmanager_secret_version.token]
}

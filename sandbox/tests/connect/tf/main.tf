# The Connect resources of the tracker module, applied against the sandbox by
# sandbox/tests/connect/test_connect_terraform.py: an instance, a Lambda associated with it,
# and a published flow invoking that Lambda. With associate = false the association does
# not exist at all, which Connect does not check at create (the flow is accepted); with
# break_flow = true the Lambda block has no NextAction, which Connect refuses
# (InvalidContactFlowException: "Action is missing required property").

terraform {
  required_version = ">= 1.5"
  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = ">= 5.0"
    }
  }
}

variable "endpoint" {
  type        = string
  description = "The sandbox endpoint, e.g. http://127.0.0.1:4566"
}

variable "region" {
  type    = string
  default = "us-east-1"
}

variable "name" {
  type        = string
  description = "Unique per test run: instance alias, function and flow names"
}

variable "function_zip" {
  type        = string
  description = "Path of the Lambda deployment package built by the test"
}

variable "prompt_text" {
  type    = string
  default = "Please wait while we look that up."
}

variable "associate" {
  type        = bool
  default     = true
  description = "Associate the function with the instance (false: Connect still takes the flow)"
}

variable "break_flow" {
  type        = bool
  default     = false
  description = "Leave out the Lambda block's NextAction, which Connect refuses"
}

provider "aws" {
  region     = var.region
  access_key = "test"
  secret_key = "test"

  skip_credentials_validation = true
  skip_metadata_api_check     = true
  skip_requesting_account_id  = true
  skip_region_validation      = true

  endpoints {
    connect = var.endpoint
    iam     = var.endpoint
    lambda  = var.endpoint
    sts     = var.endpoint
  }
}

resource "aws_connect_instance" "this" {
  identity_management_type = "CONNECT_MANAGED"
  inbound_calls_enabled    = true
  outbound_calls_enabled   = false
  instance_alias           = var.name
}

resource "aws_iam_role" "function" {
  name = "${var.name}-fn"
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Action    = "sts:AssumeRole"
      Principal = { Service = "lambda.amazonaws.com" }
    }]
  })
}

resource "aws_lambda_function" "checker" {
  function_name    = "${var.name}-checker"
  role             = aws_iam_role.function.arn
  runtime          = "python3.13"
  handler          = "app.handler"
  filename         = var.function_zip
  source_code_hash = filebase64sha256(var.function_zip)
}

resource "aws_lambda_permission" "connect" {
  statement_id  = "AllowConnect"
  action        = "lambda:InvokeFunction"
  function_name = aws_lambda_function.checker.function_name
  principal     = "connect.amazonaws.com"
  source_arn    = aws_connect_instance.this.arn
}

resource "aws_connect_lambda_function_association" "checker" {
  count        = var.associate ? 1 : 0
  instance_id  = aws_connect_instance.this.id
  function_arn = aws_lambda_function.checker.arn
}

resource "aws_connect_contact_flow" "this" {
  instance_id = aws_connect_instance.this.id
  name        = "${var.name}-flow"
  description = "Async tracker check"
  type        = "CONTACT_FLOW"
  content = jsonencode({
    Version     = "2019-10-30"
    StartAction = "Wait"
    Actions = [
      {
        Identifier  = "Wait"
        Type        = "MessageParticipant"
        Parameters  = { Text = var.prompt_text }
        Transitions = { NextAction = "Check", Errors = [], Conditions = [] }
      },
      {
        Identifier = "Check"
        Type       = "InvokeLambdaFunction"
        Parameters = {
          LambdaFunctionARN          = aws_lambda_function.checker.arn
          InvocationTimeLimitSeconds = "8"
          ResponseValidation         = { ResponseType = "STRING_MAP" }
        }
        Transitions = merge(
          var.break_flow ? {} : { NextAction = "Done" },
          { Errors = [{ NextAction = "Done", ErrorType = "NoMatchingError" }], Conditions = [] },
        )
      },
      {
        Identifier  = "Done"
        Type        = "DisconnectParticipant"
        Parameters  = {}
        Transitions = {}
      },
    ]
  })
  tags = { Project = "tracker-sandbox-test" }

  # Connect does not check the association at create, but a contact reaching the block
  # before it exists fails: the module orders them the same way.
  depends_on = [aws_connect_lambda_function_association.checker]
}

output "instance_id" {
  value = aws_connect_instance.this.id
}

output "instance_arn" {
  value = aws_connect_instance.this.arn
}

output "function_arn" {
  value = aws_lambda_function.checker.arn
}

output "flow_id" {
  value = aws_connect_contact_flow.this.contact_flow_id
}

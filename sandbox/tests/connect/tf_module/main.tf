# A flow module and a flow invoking it, applied against the sandbox by
# sandbox/tests/connect/test_connect_flow_module_terraform.py: apply, a no-change plan, an
# in-place update (content and description) and destroy.

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
  type        = string
  default     = "us-east-1"
  description = "The region of the instance"
}

variable "name" {
  type        = string
  description = "Unique per test run: instance alias, module and flow names"
}

variable "prompt_text" {
  type        = string
  default     = "Please wait while we look that up."
  description = "What the module says (changing it updates the module's content in place)"
}

variable "module_description" {
  type        = string
  default     = "Starts a task and waits for it"
  description = "The module's description (changing it updates the module's metadata in place)"
}

variable "module_settings" {
  type        = bool
  default     = true
  description = "Give the module's content its Settings (false: Connect refuses the module)"
}

variable "stage" {
  type        = string
  default     = "first"
  description = "A tag value of the module (changing it re-tags the module in place)"
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
    sts     = var.endpoint
  }
}

resource "aws_connect_instance" "this" {
  identity_management_type = "CONNECT_MANAGED"
  inbound_calls_enabled    = true
  outbound_calls_enabled   = false
  instance_alias           = var.name
}

resource "aws_connect_contact_flow_module" "this" {
  instance_id = aws_connect_instance.this.id
  name        = "${var.name}-module"
  description = var.module_description
  content = jsonencode(merge(var.module_settings ? {
    # What the console writes into every module's content.
    Settings = {
      InputParameters  = []
      OutputParameters = []
      Transitions      = [{ DisplayName = "Success", ReferenceName = "Success", Description = "" }]
    }
    } : {}, {
    Version     = "2019-10-30"
    StartAction = "Say"
    Actions = [
      {
        Identifier  = "Say"
        Type        = "MessageParticipant"
        Parameters  = { Text = var.prompt_text }
        Transitions = { NextAction = "Mark", Errors = [], Conditions = [] }
      },
      {
        Identifier = "Mark"
        Type       = "UpdateContactAttributes"
        Parameters = { Attributes = { TrackerStatus = "PENDING" } }
        Transitions = {
          NextAction = "Return"
          Errors     = [{ NextAction = "Return", ErrorType = "NoMatchingError" }]
          Conditions = []
        }
      },
      {
        Identifier  = "Return"
        Type        = "EndFlowModuleExecution"
        Parameters  = {}
        Transitions = {}
      },
    ]
  }))
  tags = { Project = "tracker-sandbox-test", Stage = var.stage }
}

resource "aws_connect_contact_flow" "this" {
  instance_id = aws_connect_instance.this.id
  name        = "${var.name}-flow"
  type        = "CONTACT_FLOW"
  content = jsonencode({
    Version     = "2019-10-30"
    StartAction = "First"
    Actions = concat(
      [
        for step in [["First", "Second"], ["Second", "Done"]] : {
          Identifier = step[0]
          Type       = "InvokeFlowModule"
          Parameters = { FlowModuleId = aws_connect_contact_flow_module.this.contact_flow_module_id }
          Transitions = {
            NextAction = step[1]
            Errors     = [{ NextAction = "Done", ErrorType = "NoMatchingError" }]
            Conditions = []
          }
        }
      ],
      [{
        Identifier  = "Done"
        Type        = "DisconnectParticipant"
        Parameters  = {}
        Transitions = {}
      }],
    )
  })
}

output "instance_id" {
  value       = aws_connect_instance.this.id
  description = "The instance"
}

output "module_id" {
  value       = aws_connect_contact_flow_module.this.contact_flow_module_id
  description = "The flow module"
}

output "flow_id" {
  value       = aws_connect_contact_flow.this.contact_flow_id
  description = "The flow invoking the module twice"
}

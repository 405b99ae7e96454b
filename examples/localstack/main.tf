# LocalStack: the whole tracker against the project's sandbox (make sandbox-up), used by
# the integration tests. Fake credentials; every service the module uses points at
# var.endpoint. The provider has no DynamoDB Streams endpoint setting and needs none:
# the stream ARN comes from DescribeTable and the event source mapping is a Lambda API
# call; only the emulator itself reads the stream. Connect is pointed at the sandbox too,
# for when var.connect_instance_arn names an instance the sandbox emulates.

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

# The sandbox emulates Amazon Connect (sandbox/src/tracker_sandbox/connect): an instance
# to point the module at, so the flow is published and validated as Connect would.
resource "aws_connect_instance" "sandbox" {
  count = var.create_connect_instance ? 1 : 0

  instance_alias           = "${lower(replace(var.name, "_", "-"))}-center"
  identity_management_type = "CONNECT_MANAGED"
  inbound_calls_enabled    = true
  outbound_calls_enabled   = false
}

# Where the module's alarms notify (alarm_actions and ok_actions): the integration tests
# subscribe a queue to it and read the notifications.
resource "aws_sns_topic" "alarms" {
  name              = "${var.name}-alarms"
  kms_master_key_id = "alias/aws/sns"
}

module "tracker" {
  source = "../../"

  name          = var.name
  artifacts_dir = "${path.module}/builds"

  task_source_dir = var.task_source_dir
  task_modules    = var.task_modules

  enable_demo_tasks        = true
  default_task             = "simulated_backend"
  request_deadline_seconds = var.request_deadline_seconds
  request_ttl_seconds      = 3600
  # Every other parameter is logged by name and length only.
  log_parameters_in_clear = ["DelaySeconds"]
  task_environment = {
    SIMULATED_DELAY_SECONDS = tostring(var.simulated_delay_seconds)
  }

  lambda_runtime      = var.lambda_runtime
  lambda_architecture = var.lambda_architecture
  python_executable   = var.python_executable
  functions = {
    processor = { timeout = 60 }
  }
  logging = {
    application_log_level = "DEBUG"
    retention_in_days     = 1
  }

  stream = {
    batch_size             = 10
    maximum_retry_attempts = 2
  }

  alarms = {
    period_seconds = var.alarm_period_seconds
  }
  alarm_actions    = [aws_sns_topic.alarms.arn]
  ok_actions       = [aws_sns_topic.alarms.arn]
  create_dashboard = true

  connect_instance_arn     = var.create_connect_instance ? aws_connect_instance.sandbox[0].arn : var.connect_instance_arn
  create_connect_resources = var.create_connect_instance || var.connect_instance_arn != null
  contact_flow = {
    task_name       = "simulated_backend"
    task_parameters = { AccountId = "$.Attributes.AccountId" }
    result_fields   = ["Message"]
    prompts = {
      greeting = var.greeting_prompt
      holding  = var.holding_prompt
    }
  }
  # The tracker as a flow module (docs/flow-module.md): the module's flow invokes it, and
  # so does the two-lookups flow below.
  contact_flow_module = {
    create      = var.create_contact_flow_module
    description = var.contact_flow_module_description
  }
}

# A flow of your own invoking the tracker's flow module twice, for two different tasks: the
# lookup of the contact's account (var.first_lookup_task, simulated_backend by default) and
# of its second account (var.second_lookup_task). Each call passes its task in
# TrackerTaskName and its account in AccountId (the module's task parameter,
# contact_flow.task_parameters above), and reads the outcome back from TrackerStatus and
# Message; the first Message is kept as FirstMessage before the second call clears it. Two
# asks, so two requests (docs/flow-contract.md).
locals {
  lookups = [
    { id = "first", task = var.first_lookup_task, account = "$.Attributes.AccountId", next = "second-lookup" },
    { id = "second", task = var.second_lookup_task, account = "$.Attributes.SecondAccountId", next = "thank-caller" },
  ]
}

resource "aws_connect_contact_flow" "two_lookups" {
  count = var.create_connect_instance && var.create_contact_flow_module ? 1 : 0

  instance_id = aws_connect_instance.sandbox[0].id
  name        = "${var.name}-two-lookups"
  description = "Invokes the tracker's flow module for two lookups"
  type        = "CONTACT_FLOW"
  content = jsonencode({
    Version     = "2019-10-30"
    StartAction = "greet"
    Actions = concat(
      [{
        Identifier  = "greet"
        Type        = "MessageParticipant"
        Parameters  = { Text = "Let me look up both of your accounts." }
        Transitions = { NextAction = "first-lookup", Errors = [{ NextAction = "first-lookup", ErrorType = "NoMatchingError" }] }
      }],
      flatten([
        for lookup in local.lookups : [
          {
            Identifier = "${lookup.id}-lookup"
            Type       = "UpdateContactAttributes"
            Parameters = {
              TargetContact = "Current"
              Attributes    = { TrackerTaskName = lookup.task, AccountId = lookup.account }
            }
            Transitions = { NextAction = "${lookup.id}-invoke", Errors = [{ NextAction = "apologize", ErrorType = "NoMatchingError" }] }
          },
          {
            Identifier  = "${lookup.id}-invoke"
            Type        = "InvokeFlowModule"
            Parameters  = { FlowModuleId = module.tracker.contact_flow_module_id }
            Transitions = { NextAction = "${lookup.id}-check", Errors = [{ NextAction = "apologize", ErrorType = "NoMatchingError" }] }
          },
          {
            Identifier = "${lookup.id}-check"
            Type       = "Compare"
            Parameters = { ComparisonValue = "$.Attributes.TrackerStatus" }
            Transitions = {
              NextAction = "apologize"
              Conditions = [{ NextAction = lookup.id == "first" ? "keep-first-result" : lookup.next, Condition = { Operator = "Equals", Operands = ["COMPLETE"] } }]
              Errors     = [{ NextAction = "apologize", ErrorType = "NoMatchingCondition" }]
            }
          },
        ]
      ]),
      [
        {
          Identifier  = "keep-first-result"
          Type        = "UpdateContactAttributes"
          Parameters  = { TargetContact = "Current", Attributes = { FirstMessage = "$.Attributes.Message", FirstRequestId = "$.Attributes.TrackerRequestId" } }
          Transitions = { NextAction = "second-lookup", Errors = [{ NextAction = "apologize", ErrorType = "NoMatchingError" }] }
        },
        {
          Identifier  = "thank-caller"
          Type        = "MessageParticipant"
          Parameters  = { Text = "Thank you for waiting. $.Attributes.FirstMessage and $.Attributes.Message" }
          Transitions = { NextAction = "disconnect", Errors = [{ NextAction = "disconnect", ErrorType = "NoMatchingError" }] }
        },
        {
          Identifier  = "apologize"
          Type        = "MessageParticipant"
          Parameters  = { Text = "Sorry, we could not look up your accounts right now." }
          Transitions = { NextAction = "disconnect", Errors = [{ NextAction = "disconnect", ErrorType = "NoMatchingError" }] }
        },
        {
          Identifier  = "disconnect"
          Type        = "DisconnectParticipant"
          Parameters  = {}
          Transitions = {}
        },
      ],
    )
  })
}

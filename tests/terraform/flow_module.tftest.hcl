# The tracker as a flow module (docs/flow-module.md): the module content rendered by
# modules/contact-flow, the flow that invokes it, the root's contact_flow_module and
# contact_flow.create switches and every input check. Plan-only; the root runs against a
# mocked provider.

mock_provider "aws" {
  override_during = plan

  mock_resource "aws_dynamodb_table" {
    defaults = {
      arn        = "arn:aws:dynamodb:eu-west-1:111122223333:table/fm-tracker"
      stream_arn = "arn:aws:dynamodb:eu-west-1:111122223333:table/fm-tracker/stream/2025-01-01T00:00:00.000"
    }
  }
  mock_resource "aws_sqs_queue" {
    defaults = {
      arn = "arn:aws:sqs:eu-west-1:111122223333:fm-processor-failures"
      url = "https://sqs.eu-west-1.amazonaws.com/111122223333/fm-processor-failures"
    }
  }
  mock_resource "aws_iam_role" {
    defaults = {
      arn = "arn:aws:iam::111122223333:role/fm-role"
    }
  }
  mock_resource "aws_cloudwatch_log_group" {
    defaults = {
      arn = "arn:aws:logs:eu-west-1:111122223333:log-group:/aws/lambda/fm-function"
    }
  }
  mock_resource "aws_lambda_function" {
    defaults = {
      arn = "arn:aws:lambda:eu-west-1:111122223333:function:fm-function"
    }
  }
  mock_resource "aws_cloudwatch_metric_alarm" {
    defaults = {
      arn = "arn:aws:cloudwatch:eu-west-1:111122223333:alarm:fm-alarm"
    }
  }
  mock_resource "aws_connect_contact_flow_module" {
    defaults = {
      contact_flow_module_id = "0f0e0d0c-0b0a-0908-0706-050403020100"
      arn                    = "arn:aws:connect:eu-west-1:111122223333:instance/aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee/flow-module/0f0e0d0c-0b0a-0908-0706-050403020100"
    }
  }
}

variables {
  name                 = "fm"
  writer_function_arn  = "arn:aws:lambda:eu-west-1:111122223333:function:test-writer"
  checker_function_arn = "arn:aws:lambda:eu-west-1:111122223333:function:test-checker"
}

run "module_content" {
  command = plan

  module {
    source = "./modules/contact-flow"
  }

  variables {
    checker_wait_seconds     = 4
    request_deadline_seconds = 60
    task_name                = "simulated_backend"
    task_parameters          = { AccountId = "$.Attributes.AccountId", Channel = "voice" }
    result_fields            = ["Balance", "Currency"]
  }

  assert {
    condition     = jsondecode(output.flow_module_content).Version == "2019-10-30" && jsondecode(output.flow_module_content).StartAction == "clear-outputs"
    error_message = "The module must be flow language 2019-10-30 starting by clearing its outputs."
  }
  assert {
    condition     = length(output.flow_module_action_identifiers) == length(distinct(output.flow_module_action_identifiers)) && sort(keys(jsondecode(output.flow_module_content).Metadata.ActionMetadata)) == sort(output.flow_module_action_identifiers)
    error_message = "Module identifiers must be unique and placed exactly once in Metadata."
  }
  assert {
    condition = alltrue(flatten([
      for action in jsondecode(output.flow_module_content).Actions : [
        for target in concat(
          try([action.Transitions.NextAction], []),
          [for error in try(action.Transitions.Errors, []) : error.NextAction],
          [for condition in try(action.Transitions.Conditions, []) : condition.NextAction],
        ) : contains(output.flow_module_action_identifiers, target)
      ]
    ]))
    error_message = "Every NextAction of the module must name one of its actions."
  }
  assert {
    condition     = [for action in jsondecode(output.flow_module_content).Actions : action.Identifier if action.Type == "EndFlowModuleExecution"] == ["return"] && length([for action in jsondecode(output.flow_module_content).Actions : action if contains(["DisconnectParticipant", "InvokeFlowModule", "TransferContactToQueue"], action.Type)]) == 0
    error_message = "The module must end in one EndFlowModuleExecution and never hang up, transfer or invoke a module."
  }
  assert {
    condition     = [for action in jsondecode(output.flow_module_content).Actions : action.Parameters.Attributes if action.Identifier == "clear-outputs"][0] == { TrackerStatus = "", TrackerRequestId = "", TrackerErrorCode = "", TrackerErrorMessage = "", Balance = "", Currency = "" }
    error_message = "The module must first empty every attribute it returns, so an earlier invocation's values never leak."
  }
  assert {
    condition     = jsonencode([for action in jsondecode(output.flow_module_content).Actions : action.Parameters.LambdaInvocationAttributes if contains(["invoke-writer", "retry-writer"], action.Identifier)]) == jsonencode([for _ in range(2) : { AccountId = "$.Attributes.AccountId", Channel = "voice", RequestKey = "$.Attributes.TrackerRequestKey", TaskName = "$.Attributes.TrackerTaskName" }])
    error_message = "The writer (and its retry) must get the task name and RequestKey from contact attributes, and the task parameters."
  }
  assert {
    condition     = [for action in jsondecode(output.flow_module_content).Actions : action.Parameters.Attributes if action.Identifier == "store-result"][0] == { Balance = "$.External.Balance", Currency = "$.External.Currency", TrackerStatus = "$.External.Status" }
    error_message = "A COMPLETE answer must be returned as TrackerStatus and the result fields."
  }
  assert {
    condition     = [for action in jsondecode(output.flow_module_content).Actions : action.Parameters.Attributes if action.Identifier == "store-outcome"][0] == { TrackerStatus = "$.External.Status", TrackerErrorCode = "$.External.ErrorCode", TrackerErrorMessage = "$.External.ErrorMessage" }
    error_message = "Any other terminal answer must be returned as TrackerStatus, TrackerErrorCode and TrackerErrorMessage."
  }
  assert {
    condition     = { for action in jsondecode(output.flow_module_content).Actions : action.Identifier => action.Parameters.Attributes.TrackerErrorCode if contains(["writer-unavailable", "polls-exhausted"], action.Identifier) } == { "writer-unavailable" = "WRITER_ERROR", "polls-exhausted" = "NO_TERMINAL_ANSWER" } && [for action in jsondecode(output.flow_module_content).Actions : action.Parameters.Attributes.TrackerStatus if contains(["writer-unavailable", "polls-exhausted"], action.Identifier)] == ["UNKNOWN", "UNKNOWN"]
    error_message = "A writer that fails twice and polls that run out must return TrackerStatus UNKNOWN with their own error codes."
  }
  assert {
    condition = {
      for action in jsondecode(output.flow_module_content).Actions : action.Identifier => {
        for condition in action.Transitions.Conditions : condition.Condition.Operands[0] => condition.NextAction
      } if try(action.Parameters.ComparisonValue, "") == "$.External.Status"
      } == {
      "check-writer-status"  = { PENDING = "remember-request-id", RUNNING = "remember-request-id", COMPLETE = "remember-request-id" }
      "check-request-status" = { COMPLETE = "store-result", FAILED = "store-outcome", TIMED_OUT = "store-outcome", NOT_FOUND = "store-outcome", INVALID_REQUEST = "store-outcome", PENDING = "poll-loop", RUNNING = "poll-loop", UNKNOWN = "failed-poll" }
    }
    error_message = "The module's status branches must follow docs/flow-module.md."
  }
  # The poll loop is the flow's, built once (modules/contact-flow main.tf): the same
  # actions, but for where they leave it and the module's draining of its Loop.
  assert {
    condition     = [for action in jsondecode(output.flow_module_content).Actions : action.Parameters.LoopCount if action.Identifier == "poll-loop"] == ["17"]
    error_message = "The module must poll ceil(60 / 4) + 2 = 17 times."
  }
  assert {
    condition = [
      for action in jsondecode(output.flow_module_content).Actions : action if contains(["pace-poll", "voice-cadence", "hold", "chat-cadence", "task-pace", "reassure", "invoke-checker"], action.Identifier)
      ] == [
      for action in jsondecode(output.content).Actions : action if contains(["pace-poll", "voice-cadence", "hold", "chat-cadence", "task-pace", "reassure", "invoke-checker"], action.Identifier)
    ]
    error_message = "The module must pace its polls per channel exactly as the inline flow does."
  }
  assert {
    condition = {
      for action in jsondecode(output.flow_module_content).Actions : action.Identifier => action.Transitions.NextAction
      if contains(["store-result", "store-outcome", "store-status", "start-drain", "stop-drain", "polls-exhausted"], action.Identifier)
      } == {
      "store-result" = "start-drain", "store-outcome" = "start-drain", "store-status" = "start-drain"
      "start-drain"  = "poll-loop", "stop-drain" = "return", "polls-exhausted" = "return"
    }
    error_message = "Every way out of the module after polling must drain the Loop (Connect resets a Loop only after DoneLooping), then return."
  }
  assert {
    condition = {
      for action in jsondecode(output.flow_module_content).Actions : action.Identifier => { for c in action.Transitions.Conditions : c.Condition.Operands[0] => c.NextAction }
      if contains(["poll-loop", "drain-or-poll", "drained-or-exhausted"], action.Identifier)
      } == {
      "poll-loop"            = { ContinueLooping = "drain-or-poll", DoneLooping = "drained-or-exhausted" }
      "drain-or-poll"        = { "true" = "poll-loop" }
      "drained-or-exhausted" = { "true" = "stop-drain" }
    }
    error_message = "While draining, the Loop must run on to DoneLooping without polling, then stop draining."
  }
  assert {
    condition     = !contains(output.action_identifiers, "invoke-tracker-module") && contains(output.action_identifiers, "invoke-writer")
    error_message = "Without invoke_flow_module the flow must poll inline."
  }
  # CreateContactFlowModule refuses content without Settings ("JSON field is missing or
  # null for field name: settings"); this is the block the console writes into every module.
  assert {
    condition = jsondecode(output.flow_module_content).Settings == {
      InputParameters  = []
      OutputParameters = []
      Transitions = [
        { DisplayName = "Success", ReferenceName = "Success", Description = "" },
        { DisplayName = "Error", ReferenceName = "Error", Description = "" },
      ]
    }
    error_message = "The flow module's content must carry the console's Settings: no input or output parameters, the Success and Error transitions."
  }
  # The service refuses Wait's reference name TimeoutSeconds and takes TimeLimitSeconds,
  # the console's (sandbox/src/tracker_sandbox/flows/spec.py, Wait).
  assert {
    condition     = alltrue([for action in jsondecode(output.flow_module_content).Actions : keys(action.Parameters) == ["TimeLimitSeconds"] if action.Type == "Wait"])
    error_message = "A Wait of the module (its pause, for long deadlines) must be written with TimeLimitSeconds alone."
  }
  # Every non-terminal action carries a NextAction (flow-as-code actions.md rule 38).
  assert {
    condition     = alltrue([for action in jsondecode(output.flow_module_content).Actions : try(action.Transitions.NextAction, "") != "" if action.Type != "EndFlowModuleExecution"]) && [for action in jsondecode(output.flow_module_content).Actions : action.Transitions if action.Type == "EndFlowModuleExecution"] == [{}]
    error_message = "Every action but the Return block must have a NextAction, and the Return block no transitions."
  }
}

run "flow_invoking_the_module" {
  command = plan

  module {
    source = "./modules/contact-flow"
  }

  variables {
    task_name          = "simulated_backend"
    result_fields      = ["Balance"]
    invoke_flow_module = true
    flow_module_id     = "0f0e0d0c-0b0a-0908-0706-050403020100"
  }

  assert {
    condition     = output.action_identifiers == ["greet", "set-task-name", "invoke-tracker-module", "check-tracker-status", "thank-caller", "apologize", "disconnect"]
    error_message = "The flow must greet, name the task, invoke the module, then thank or apologize."
  }
  assert {
    condition     = length([for action in jsondecode(output.content).Actions : action if action.Type == "InvokeLambdaFunction"]) == 0
    error_message = "The flow invoking the module must not call the functions itself."
  }
  assert {
    condition     = [for action in jsondecode(output.content).Actions : [action.Parameters.FlowModuleId, action.Transitions.NextAction, action.Transitions.Errors[0].NextAction] if action.Type == "InvokeFlowModule"] == [["0f0e0d0c-0b0a-0908-0706-050403020100", "check-tracker-status", "apologize"]]
    error_message = "The flow must invoke the given module once, apologizing on its error branch."
  }
  assert {
    condition     = [for action in jsondecode(output.content).Actions : action.Parameters.Attributes if action.Identifier == "set-task-name"] == [{ TrackerTaskName = "simulated_backend" }]
    error_message = "The flow must pass the task name to the module in TrackerTaskName."
  }
  assert {
    condition     = [for action in jsondecode(output.content).Actions : [action.Parameters.ComparisonValue, action.Transitions.Conditions[0].Condition.Operands[0], action.Transitions.Conditions[0].NextAction, action.Transitions.NextAction] if action.Identifier == "check-tracker-status"] == [["$.Attributes.TrackerStatus", "COMPLETE", "thank-caller", "apologize"]]
    error_message = "Only TrackerStatus COMPLETE may lead to the thank-you."
  }
  assert {
    condition     = [for action in jsondecode(output.content).Actions : action.Parameters.Text if action.Identifier == "thank-caller"] == ["Thank you for waiting. $.Attributes.Balance"]
    error_message = "The thank-you must read the result attribute the module returned."
  }
}

run "flow_module_without_task_name_leaves_it_to_the_writer" {
  command = plan
  module {
    source = "./modules/contact-flow"
  }
  variables {
    invoke_flow_module = true
    flow_module_id     = "arn:aws:connect:eu-west-1:111122223333:instance/aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee/flow-module/0f0e0d0c-0b0a-0908-0706-050403020100"
  }
  assert {
    condition     = [for action in jsondecode(output.content).Actions : action.Parameters.Attributes.TrackerTaskName if action.Identifier == "set-task-name"] == [""] && [for action in jsondecode(output.content).Actions : action.Parameters.FlowModuleId if action.Type == "InvokeFlowModule"] == [var.flow_module_id]
    error_message = "Without task_name TrackerTaskName is emptied (the writer's default task), and a module ARN is passed as given."
  }
  assert {
    condition     = [for action in jsondecode(output.flow_module_content).Actions : action.Parameters.Attributes if action.Identifier == "clear-outputs"][0] == { TrackerStatus = "", TrackerRequestId = "", TrackerErrorCode = "", TrackerErrorMessage = "" }
    error_message = "Without result fields the module clears only its own attributes."
  }
}

run "invoke_without_module_id" {
  command = plan
  module {
    source = "./modules/contact-flow"
  }
  variables {
    invoke_flow_module = true
  }
  expect_failures = [var.flow_module_id]
}

run "bad_module_id" {
  command = plan
  module {
    source = "./modules/contact-flow"
  }
  variables {
    flow_module_id = "arn:aws:connect:eu-west-1:111122223333:instance/aaaa/contact-flow/bbbb"
  }
  expect_failures = [var.flow_module_id]
}

run "result_field_named_like_a_module_attribute" {
  command = plan
  module {
    source = "./modules/contact-flow"
  }
  variables {
    result_fields = ["TrackerStatus"]
  }
  expect_failures = [var.result_fields]
}

# The root module -----------------------------------------------------------------------

run "root_off_by_default" {
  command = plan

  variables {
    connect_instance_arn = "arn:aws:connect:eu-west-1:111122223333:instance/aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee"
  }

  assert {
    condition     = length(aws_connect_contact_flow_module.this) == 0 && output.contact_flow_module_id == null && output.contact_flow_module_arn == null
    error_message = "Without contact_flow_module.create there must be no flow module."
  }
  assert {
    condition     = contains([for action in jsondecode(aws_connect_contact_flow.this[0].content).Actions : action.Identifier], "invoke-writer") && !contains([for action in jsondecode(aws_connect_contact_flow.this[0].content).Actions : action.Type], "InvokeFlowModule")
    error_message = "With the flow module off, the published flow must poll inline."
  }
  assert {
    condition     = jsondecode(output.contact_flow_module_content).StartAction == "clear-outputs"
    error_message = "The module's content must be rendered even when it is not published."
  }
}

run "root_module_on" {
  command = plan

  variables {
    connect_instance_arn = "arn:aws:connect:eu-west-1:111122223333:instance/aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee"
    contact_flow         = { task_name = "simulated_backend", task_parameters = { AccountId = "$.Attributes.AccountId" }, result_fields = ["Message"] }
    contact_flow_module  = { create = true }
    tags                 = { Team = "contact-centre" }
  }

  assert {
    condition     = aws_connect_contact_flow_module.this[0].instance_id == "aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee" && aws_connect_contact_flow_module.this[0].name == "fm-async-tracker-module" && startswith(aws_connect_contact_flow_module.this[0].description, "Asynchronous tracker") && aws_connect_contact_flow_module.this[0].tags["Team"] == "contact-centre"
    error_message = "The flow module must be published to the instance, named <name>-async-tracker-module, described and tagged."
  }
  assert {
    condition     = aws_connect_contact_flow_module.this[0].content == output.contact_flow_module_content && [for action in jsondecode(output.contact_flow_module_content).Actions : action.Parameters.LambdaInvocationAttributes.AccountId if action.Identifier == "invoke-writer"] == ["$.Attributes.AccountId"] && [for action in jsondecode(output.contact_flow_module_content).Actions : keys(action.Parameters.Attributes) if action.Identifier == "store-result"] == [["Message", "TrackerStatus"]]
    error_message = "The published module must carry contact_flow's task parameters and result fields."
  }
  assert {
    condition     = [for action in jsondecode(aws_connect_contact_flow.this[0].content).Actions : action.Parameters.FlowModuleId if action.Type == "InvokeFlowModule"] == ["0f0e0d0c-0b0a-0908-0706-050403020100"] && !contains([for action in jsondecode(aws_connect_contact_flow.this[0].content).Actions : action.Type], "InvokeLambdaFunction")
    error_message = "The module's own flow must invoke the published module instead of polling inline."
  }
  assert {
    condition     = output.contact_flow_module_id == "0f0e0d0c-0b0a-0908-0706-050403020100" && output.contact_flow_module_arn == "arn:aws:connect:eu-west-1:111122223333:instance/aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee/flow-module/0f0e0d0c-0b0a-0908-0706-050403020100"
    error_message = "The module's id and ARN must be outputs."
  }
}

run "root_module_named" {
  command = plan
  variables {
    connect_instance_arn = "arn:aws:connect:eu-west-1:111122223333:instance/aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee"
    contact_flow_module  = { create = true, name = "lookups", description = "Looks things up" }
  }
  assert {
    condition     = aws_connect_contact_flow_module.this[0].name == "lookups" && aws_connect_contact_flow_module.this[0].description == "Looks things up"
    error_message = "contact_flow_module.name and description must reach the resource."
  }
}

run "root_module_needs_the_connect_resources" {
  command = plan
  variables {
    connect_instance_arn     = "arn:aws:connect:eu-west-1:111122223333:instance/aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee"
    create_connect_resources = false
    contact_flow_module      = { create = true }
  }
  assert {
    condition     = length(aws_connect_contact_flow_module.this) == 0 && length(aws_connect_contact_flow.this) == 0 && !contains([for action in jsondecode(output.contact_flow_content).Actions : action.Type], "InvokeFlowModule")
    error_message = "With the Connect resources switched off there is no module, and the rendered flow polls inline."
  }
}

run "root_module_without_instance" {
  command = plan
  variables {
    contact_flow_module = { create = true }
  }
  expect_failures = [var.contact_flow_module]
}

run "root_module_name_too_long" {
  command = plan
  variables {
    connect_instance_arn = "arn:aws:connect:eu-west-1:111122223333:instance/aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee"
    contact_flow_module  = { create = true, name = "" }
  }
  expect_failures = [var.contact_flow_module]
}

run "root_module_description_too_long" {
  command = plan
  variables {
    connect_instance_arn = "arn:aws:connect:eu-west-1:111122223333:instance/aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee"
    contact_flow_module  = { create = true, description = join("", [for i in range(501) : "x"]) }
  }
  expect_failures = [var.contact_flow_module]
}

# An estate with flows of its own publishes only the flow module (contact_flow.create = false).

run "root_only_the_module_without_our_flow" {
  command = plan

  variables {
    connect_instance_arn = "arn:aws:connect:eu-west-1:111122223333:instance/aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee"
    contact_flow         = { create = false, task_name = "simulated_backend", result_fields = ["Message"] }
    contact_flow_module  = { create = true }
  }

  assert {
    condition     = length(aws_connect_contact_flow.this) == 0 && output.contact_flow_id == null && output.contact_flow_arn == null
    error_message = "With contact_flow.create = false the module's own contact flow must not be published."
  }
  assert {
    condition     = length(aws_connect_contact_flow_module.this) == 1 && output.contact_flow_module_id == "0f0e0d0c-0b0a-0908-0706-050403020100"
    error_message = "The flow module must still be published for the estate's own flows."
  }
  assert {
    condition     = toset(keys(aws_connect_lambda_function_association.this)) == toset(["writer", "checker"]) && toset(keys(aws_lambda_permission.connect)) == toset(["writer", "checker"])
    error_message = "The module invokes the writer and checker: both must stay associated with the instance and invocable by Connect."
  }
  assert {
    condition     = [for action in jsondecode(output.contact_flow_content).Actions : action.Parameters.FlowModuleId if action.Type == "InvokeFlowModule"] == ["0f0e0d0c-0b0a-0908-0706-050403020100"]
    error_message = "The flow JSON must still be rendered (invoking the module) for an estate that imports it by hand."
  }
}

run "root_no_flow_of_ours_at_all" {
  command = plan

  variables {
    connect_instance_arn = "arn:aws:connect:eu-west-1:111122223333:instance/aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee"
    contact_flow         = { create = false }
  }

  assert {
    condition     = length(aws_connect_contact_flow.this) == 0 && length(aws_connect_contact_flow_module.this) == 0
    error_message = "With contact_flow.create = false and no flow module, no flow of ours may be published."
  }
  assert {
    condition     = length(aws_connect_lambda_function_association.this) == 2 && length(aws_lambda_permission.connect) == 2
    error_message = "The estate's own flows invoke the writer and checker: the Connect permissions and associations must remain."
  }
}

run "root_flow_published_by_default" {
  command = plan

  variables {
    connect_instance_arn = "arn:aws:connect:eu-west-1:111122223333:instance/aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee"
    contact_flow_module  = { create = true }
  }

  assert {
    condition     = length(aws_connect_contact_flow.this) == 1 && length(aws_connect_contact_flow_module.this) == 1
    error_message = "By default (contact_flow.create = true) the module's own flow is published beside the flow module."
  }
}

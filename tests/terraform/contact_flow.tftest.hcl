# The resource-free flow sub-module: structure of the rendered flow and its input checks.

variables {
  writer_function_arn  = "arn:aws:lambda:eu-west-1:111122223333:function:test-writer"
  checker_function_arn = "arn:aws:lambda:eu-west-1:111122223333:function:test-checker"
}

run "structure" {
  command = plan

  module {
    source = "./modules/contact-flow"
  }

  variables {
    poll_interval_seconds    = 7
    request_deadline_seconds = 60
    task_name                = "simulated_backend"
    task_parameters          = { AccountId = "$.Attributes.AccountId", Channel = "voice" }
    result_fields            = ["Balance", "Currency"]
    prompts                  = { thank_you_prefix = "Thanks \"for\" waiting: ${"$"}{not a template}." }
  }

  assert {
    condition     = jsondecode(output.content).Version == "2019-10-30" && jsondecode(output.content).StartAction == "greet"
    error_message = "The flow must be flow language 2019-10-30 starting with the greeting."
  }
  assert {
    condition     = length(output.action_identifiers) == length(distinct(output.action_identifiers)) && alltrue([for id in output.action_identifiers : length(id) >= 1 && length(id) <= 50])
    error_message = "Identifiers must be unique and at most 50 characters."
  }
  assert {
    condition = alltrue(flatten([
      for action in jsondecode(output.content).Actions : [
        for target in concat(
          try([action.Transitions.NextAction], []),
          [for error in try(action.Transitions.Errors, []) : error.NextAction],
          [for condition in try(action.Transitions.Conditions, []) : condition.NextAction],
        ) : contains(output.action_identifiers, target)
      ]
    ]))
    error_message = "Every NextAction must name an action of the flow."
  }
  assert {
    condition     = alltrue([for action in jsondecode(output.content).Actions : length(try(action.Transitions.Errors, [])) > 0 if action.Type == "InvokeLambdaFunction"])
    error_message = "Every Lambda block must have an error branch."
  }
  assert {
    condition     = alltrue([for action in jsondecode(output.content).Actions : action.Parameters.ResponseValidation.ResponseType == "STRING_MAP" && action.Parameters.InvocationTimeLimitSeconds == "8" if action.Type == "InvokeLambdaFunction"])
    error_message = "Lambda blocks must validate a STRING_MAP and wait at most 8 s."
  }
  assert {
    condition     = jsonencode([for action in jsondecode(output.content).Actions : sort([for c in action.Transitions.Conditions : c.Condition.Operands[0]]) if action.Type == "Loop"]) == jsonencode([["ContinueLooping", "DoneLooping"]])
    error_message = "The one loop must branch on both ContinueLooping and DoneLooping."
  }
  assert {
    condition     = [for action in jsondecode(output.content).Actions : action.Parameters.LoopCount if action.Type == "Loop"] == ["10"] && output.poll_count == 10
    error_message = "The loop count must be ceil(request_deadline_seconds / poll_interval_seconds) + 1 = ceil(60 / 7) + 1 = 10."
  }
  assert {
    condition = {
      for action in jsondecode(output.content).Actions : action.Identifier => {
        for condition in action.Transitions.Conditions : condition.Condition.Operands[0] => condition.NextAction
      } if try(action.Parameters.ComparisonValue, "") == "$.Channel"
      } == {
      "route-by-channel" = { CHAT = "send-holding-message" }
      "pace-poll"        = { VOICE = "play-holding-prompt" }
    }
    error_message = "The flow must branch on $.Channel: chat gets the holding message once, voice is paced by the holding prompt."
  }
  assert {
    condition = {
      for action in jsondecode(output.content).Actions : action.Identifier => [action.Transitions.NextAction, action.Transitions.Errors[0].NextAction] if try(action.Parameters.ComparisonValue, "") == "$.Channel"
      } == {
      "route-by-channel" = ["poll-loop", "poll-loop"]
      "pace-poll"        = ["wait-before-poll", "wait-before-poll"]
    }
    error_message = "Every other channel (task, email, anything new) must poll after a Wait block."
  }
  assert {
    condition = [for action in jsondecode(output.content).Actions : {
      timeout = action.Parameters.TimeLimitSeconds
      next    = action.Transitions.NextAction
      branch  = [for c in action.Transitions.Conditions : [c.Condition.Operands[0], c.NextAction]]
      errors  = [for e in action.Transitions.Errors : [e.ErrorType, e.NextAction]]
      } if action.Type == "Wait"] == [{
      timeout = "7"
      next    = "invoke-checker"
      branch  = [["WaitCompleted", "invoke-checker"]]
      errors  = [["NoMatchingError", "invoke-checker"]]
    }]
    error_message = "The one Wait must wait poll_interval_seconds (TimeLimitSeconds) and then poll, also on its error branch."
  }
  # The service refuses Wait's reference name TimeoutSeconds and takes TimeLimitSeconds,
  # the console's (sandbox/src/tracker_sandbox/flows/spec.py, Wait).
  assert {
    condition     = [for action in jsondecode(output.content).Actions : keys(action.Parameters) if action.Type == "Wait"] == [["TimeLimitSeconds"]]
    error_message = "The flow's Wait must be written with TimeLimitSeconds alone."
  }
  # Every non-terminal action carries a NextAction (flow-as-code actions.md rule 38); a
  # flow has no module Settings.
  assert {
    condition     = alltrue([for action in jsondecode(output.content).Actions : try(action.Transitions.NextAction, "") != "" if action.Type != "DisconnectParticipant"]) && [for action in jsondecode(output.content).Actions : action.Transitions if action.Type == "DisconnectParticipant"] == [{}] && !can(jsondecode(output.content).Settings)
    error_message = "Every action but the hang-up must have a NextAction, the hang-up no transitions, and the flow no Settings."
  }
  assert {
    condition     = [for action in jsondecode(output.content).Actions : action.Parameters.SSML if action.Identifier == "play-holding-prompt"] == ["<speak>Still working on it, thank you for holding.<break time=\"7s\"/></speak>"]
    error_message = "Voice must hear the holding text followed by poll_interval_seconds of SSML break."
  }
  assert {
    condition     = [for action in jsondecode(output.content).Actions : action.Parameters.Text if action.Identifier == "send-holding-message"] == ["Still working on it, thank you for holding."] && [for action in jsondecode(output.content).Actions : action.Transitions.NextAction if action.Identifier == "send-holding-message"] == ["poll-loop"]
    error_message = "Chat must get the holding text once, as plain text, before the poll loop."
  }
  assert {
    condition     = [for action in jsondecode(output.content).Actions : action.Transitions.Conditions[0].NextAction if action.Identifier == "poll-loop"] == ["pace-poll"]
    error_message = "Every poll must be paced by channel."
  }
  assert {
    condition     = [for action in jsondecode(output.content).Actions : action.Parameters.LambdaInvocationAttributes if action.Identifier == "invoke-writer"][0] == { AccountId = "$.Attributes.AccountId", Channel = "voice", TaskName = "simulated_backend" }
    error_message = "The writer must get the task parameters, passed through, and the task name."
  }
  assert {
    condition     = [for action in jsondecode(output.content).Actions : action.Parameters.LambdaInvocationAttributes if action.Identifier == "invoke-checker"][0] == { RequestId = "$.Attributes.TrackerRequestId" }
    error_message = "The checker must be asked about the request the contact attribute holds."
  }
  assert {
    condition     = [for action in jsondecode(output.content).Actions : action.Parameters.Attributes if action.Identifier == "remember-request-id"][0] == { TrackerRequestId = "$.External.RequestId" }
    error_message = "The writer's RequestId must be kept as contact attribute TrackerRequestId."
  }
  assert {
    condition     = [for action in jsondecode(output.content).Actions : action.Parameters.Attributes if action.Identifier == "store-result"][0] == { Balance = "$.External.Balance", Currency = "$.External.Currency" }
    error_message = "Result fields must be copied into contact attributes."
  }
  assert {
    condition     = [for action in jsondecode(output.content).Actions : action.Parameters.Text if action.Identifier == "thank-caller"][0] == "Thanks \"for\" waiting: ${"$"}{not a template}. $.Attributes.Balance $.Attributes.Currency"
    error_message = "The thank-you prompt must be the prefix (verbatim, JSON-escaped) followed by the result attributes."
  }
  assert {
    condition = {
      for action in jsondecode(output.content).Actions : action.Identifier => {
        for condition in action.Transitions.Conditions : condition.Condition.Operands[0] => condition.NextAction
      } if try(action.Parameters.ComparisonValue, "") == "$.External.Status"
      } == {
      "check-writer-status"  = { PENDING = "remember-request-id", RUNNING = "remember-request-id", COMPLETE = "remember-request-id" }
      "check-request-status" = { COMPLETE = "store-result", FAILED = "apologize", TIMED_OUT = "apologize", NOT_FOUND = "apologize", INVALID_REQUEST = "apologize", PENDING = "poll-loop", RUNNING = "poll-loop", UNKNOWN = "poll-loop" }
    }
    error_message = "Status branches must follow the documented flow."
  }
  assert {
    condition = {
      for action in jsondecode(output.content).Actions : action.Identifier => action.Transitions.Errors[0].NextAction if action.Type == "InvokeLambdaFunction"
      } == {
      "invoke-writer"  = "retry-writer"
      "retry-writer"   = "apologize"
      "invoke-checker" = "poll-loop"
    }
    error_message = "A writer error must retry the (idempotent) writer once, then apologize; a checker error must poll again."
  }
  assert {
    condition     = length(distinct([for action in jsondecode(output.content).Actions : action.Parameters if startswith(action.Identifier, "invoke-writer") || action.Identifier == "retry-writer"])) == 1
    error_message = "The writer's retry must send exactly what the first call sent."
  }
  assert {
    condition     = [for action in jsondecode(output.content).Actions : action.Identifier if action.Type == "DisconnectParticipant"] == ["disconnect"]
    error_message = "The flow must end in one disconnect."
  }
  assert {
    condition     = sort(keys(jsondecode(output.content).Metadata.ActionMetadata)) == sort(output.action_identifiers)
    error_message = "Metadata must place exactly the flow's actions."
  }
}

run "without_result_fields_or_task" {
  command = plan

  module {
    source = "./modules/contact-flow"
  }

  assert {
    condition     = !contains(output.action_identifiers, "store-result") && [for action in jsondecode(output.content).Actions : action.Transitions.Conditions[0].NextAction if action.Identifier == "check-request-status"] == ["thank-caller"]
    error_message = "Without result fields, COMPLETE goes straight to the thank-you prompt."
  }
  assert {
    condition     = [for action in jsondecode(output.content).Actions : try(action.Parameters.LambdaInvocationAttributes, null) if action.Identifier == "invoke-writer"] == [null]
    error_message = "Without task name or parameters the writer gets no invocation attributes."
  }
  assert {
    condition     = sort(keys(jsondecode(output.content).Metadata.ActionMetadata)) == sort(output.action_identifiers)
    error_message = "Metadata must place exactly the flow's actions."
  }
}

run "bad_writer_arn" {
  command = plan
  module {
    source = "./modules/contact-flow"
  }
  variables {
    writer_function_arn = "test-writer"
  }
  expect_failures = [var.writer_function_arn]
}

run "bad_checker_arn" {
  command = plan
  module {
    source = "./modules/contact-flow"
  }
  variables {
    checker_function_arn = "arn:aws:sqs:eu-west-1:111122223333:queue"
  }
  expect_failures = [var.checker_function_arn]
}

run "long_interval_chains_breaks_and_escapes_ssml" {
  command = plan

  module {
    source = "./modules/contact-flow"
  }

  variables {
    poll_interval_seconds = 25
    prompts               = { holding = "Hold on <please> & \"wait\"." }
  }

  assert {
    condition     = [for action in jsondecode(output.content).Actions : action.Parameters.SSML if action.Identifier == "play-holding-prompt"] == ["<speak>Hold on &lt;please&gt; &amp; \"wait\".<break time=\"10s\"/><break time=\"10s\"/><break time=\"5s\"/></speak>"]
    error_message = "A break lasts at most 10 s: 25 s must be 10 + 10 + 5, after the XML-escaped holding text."
  }
  assert {
    condition     = output.poll_count == 6 && [for action in jsondecode(output.content).Actions : action.Parameters.TimeLimitSeconds if action.Type == "Wait"] == ["25"]
    error_message = "The default 120 s deadline at 25 s intervals needs ceil(120 / 25) + 1 = 6 polls."
  }
}

run "defaults_poll_every_5_seconds_past_the_deadline" {
  command = plan

  module {
    source = "./modules/contact-flow"
  }

  assert {
    condition     = output.poll_count == 25 && [for action in jsondecode(output.content).Actions : action.Parameters.LoopCount if action.Type == "Loop"] == ["25"]
    error_message = "The defaults (120 s deadline, 5 s interval) need ceil(120 / 5) + 1 = 25 polls."
  }
}

run "largest_loop_is_100_polls" {
  command = plan

  module {
    source = "./modules/contact-flow"
  }

  variables {
    request_deadline_seconds = 495
    poll_interval_seconds    = 5
  }

  assert {
    condition     = output.poll_count == 100
    error_message = "495 s at 5 s intervals is exactly Connect's largest loop count: ceil(495 / 5) + 1 = 100."
  }
}

run "deadline_too_long_for_the_interval" {
  command = plan
  module {
    source = "./modules/contact-flow"
  }
  variables {
    request_deadline_seconds = 496
    poll_interval_seconds    = 5
  }
  expect_failures = [var.request_deadline_seconds]
}

run "long_deadline_derives_the_interval" {
  command = plan

  module {
    source = "./modules/contact-flow"
  }

  variables {
    request_deadline_seconds = 3600
  }

  assert {
    condition     = output.poll_interval_seconds == 37 && output.poll_count == 99 && [for action in jsondecode(output.content).Actions : action.Parameters.TimeLimitSeconds if action.Type == "Wait"] == ["37"]
    error_message = "Without an interval, a 3600 s deadline must poll every ceil(3600 / 99) = 37 s, ceil(3600 / 37) + 1 = 99 times."
  }
}

run "poll_interval_out_of_range" {
  command = plan
  module {
    source = "./modules/contact-flow"
  }
  variables {
    poll_interval_seconds = 901
  }
  expect_failures = [var.poll_interval_seconds]
}

run "poll_interval_fractional" {
  command = plan
  module {
    source = "./modules/contact-flow"
  }
  variables {
    poll_interval_seconds = 2.5
  }
  expect_failures = [var.poll_interval_seconds]
}

run "invocation_time_limit_over_8" {
  command = plan
  module {
    source = "./modules/contact-flow"
  }
  variables {
    invocation_time_limit_seconds = 9
  }
  expect_failures = [var.invocation_time_limit_seconds]
}

run "bad_task_name" {
  command = plan
  module {
    source = "./modules/contact-flow"
  }
  variables {
    task_name = "has space"
  }
  expect_failures = [var.task_name]
}

run "task_parameters_reserved_name" {
  command = plan
  module {
    source = "./modules/contact-flow"
  }
  variables {
    task_parameters = { TaskName = "x" }
  }
  expect_failures = [var.task_parameters]
}

run "result_fields_reserved_or_duplicate" {
  command = plan
  module {
    source = "./modules/contact-flow"
  }
  variables {
    result_fields = ["Balance", "Balance"]
  }
  expect_failures = [var.result_fields]
}

run "blank_prompt" {
  command = plan
  module {
    source = "./modules/contact-flow"
  }
  variables {
    prompts = { holding = "  " }
  }
  expect_failures = [var.prompts]
}

run "missing_template" {
  command = plan
  module {
    source = "./modules/contact-flow"
  }
  variables {
    template_path = "modules/contact-flow/missing.json.tftpl"
  }
  expect_failures = [var.template_path]
}

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
    checker_wait_seconds     = 4
    request_deadline_seconds = 60
    task_name                = "simulated_backend"
    task_parameters          = { AccountId = "$.Attributes.AccountId", Channel = "voice" }
    result_fields            = ["Balance", "Currency"]
    prompts                  = { thank_you_prefix = "Thanks \"for\" waiting: ${"$"}{not a template}." }
  }

  assert {
    condition     = jsondecode(output.content).Version == "2019-10-30" && jsondecode(output.content).StartAction == "invoke-writer"
    error_message = "The flow must be flow language 2019-10-30 starting with the writer (start first, talk after)."
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
    condition     = alltrue([for action in jsondecode(output.content).Actions : jsonencode(sort([for c in action.Transitions.Conditions : c.Condition.Operands[0]])) == jsonencode(["ContinueLooping", "DoneLooping"]) if action.Type == "Loop"])
    error_message = "Every loop must branch on both ContinueLooping and DoneLooping."
  }
  assert {
    condition     = { for action in jsondecode(output.content).Actions : action.Identifier => action.Parameters.LoopCount if action.Type == "Loop" } == { "poll-loop" = "17", "voice-cadence" = "3", "chat-cadence" = "2" } && output.poll_count == 17
    error_message = "The loop count must be ceil(60 / checker_wait_seconds 4) + 2 = 17; reassurance every 4 voice polls and every 3 chat polls (25 s; 20 s of Lambda calls on chat)."
  }
  assert {
    condition     = [for action in jsondecode(output.content).Actions : action.Transitions.NextAction if action.Identifier == "remember-request-id"] == ["greet"] && [for action in jsondecode(output.content).Actions : action.Transitions.NextAction if action.Identifier == "greet"] == ["invoke-checker"]
    error_message = "The greeting must come once the request is recorded, and the first poll right after it."
  }
  assert {
    condition = {
      for action in jsondecode(output.content).Actions : action.Identifier => merge(
        { for condition in action.Transitions.Conditions : condition.Condition.Operands[0] => condition.NextAction },
        { default = action.Transitions.NextAction, no_match = action.Transitions.Errors[0].NextAction },
      ) if try(action.Parameters.ComparisonValue, "") == "$.Channel"
      } == {
      "pace-poll"   = { VOICE = "voice-cadence", TASK = "task-pace", default = "chat-cadence", no_match = "chat-cadence" }
      "failed-poll" = { VOICE = "failed-poll-hold", default = "failed-poll-wait", no_match = "failed-poll-wait" }
    }
    error_message = "Each poll must be paced by channel: voice and task by a prompt before it, chat (email, anything else) by the reassurance cadence; a failed poll by silence on voice and a Wait elsewhere."
  }
  assert {
    condition     = [for action in jsondecode(output.content).Actions : action.Parameters.SSML if action.Identifier == "hold"] == ["<speak><break time=\"500ms\"/></speak>"]
    error_message = "Voice must hold with 0.5 s of SSML silence by default."
  }
  assert {
    condition     = [for action in jsondecode(output.content).Actions : action.Parameters.Text if contains(["reassure", "task-pace"], action.Identifier)] == ["Still working on it, thank you for holding.", "Still working on it, thank you for holding."]
    error_message = "The reassurance and a task's chain-breaking prompt must be the holding text."
  }
  assert {
    condition     = [for action in jsondecode(output.content).Actions : action.Identifier if action.Type == "Wait"] == ["failed-poll-wait"]
    error_message = "No Wait for a deadline the checker's waits cover (a Wait would hold back a finished result), only after a failed poll."
  }
  assert {
    condition = {
      for action in jsondecode(output.content).Actions : action.Identifier => [action.Parameters, action.Transitions.NextAction, action.Transitions.Errors[0].NextAction]
      if contains(["failed-poll-hold", "failed-poll-wait"], action.Identifier)
      } == {
      "failed-poll-hold" = [{ SSML = "<speak><break time=\"4000ms\"/></speak>" }, "poll-loop", "poll-loop"]
      "failed-poll-wait" = [{ TimeLimitSeconds = "4" }, "poll-loop", "poll-loop"]
    }
    error_message = "A failed poll must last the checker's wait (4 s here) before the Loop counts the next one: silence on voice, a Wait on chat and task."
  }
  assert {
    condition = {
      for action in jsondecode(output.content).Actions : action.Identifier => action.Transitions.NextAction
      if contains(["hold", "reassure", "task-pace"], action.Identifier)
    } == { hold = "invoke-checker", reassure = "invoke-checker", "task-pace" = "invoke-checker" }
    error_message = "Every prompt of the loop must be followed by the poll."
  }
  # Every non-terminal action carries a NextAction (flow-as-code actions.md rule 38); a
  # flow has no module Settings.
  assert {
    condition     = alltrue([for action in jsondecode(output.content).Actions : try(action.Transitions.NextAction, "") != "" if action.Type != "DisconnectParticipant"]) && [for action in jsondecode(output.content).Actions : action.Transitions if action.Type == "DisconnectParticipant"] == [{}] && !can(jsondecode(output.content).Settings)
    error_message = "Every action but the hang-up must have a NextAction, the hang-up no transitions, and the flow no Settings."
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
      "check-request-status" = { COMPLETE = "store-result", FAILED = "apologize", TIMED_OUT = "apologize", NOT_FOUND = "apologize", INVALID_REQUEST = "apologize", PENDING = "poll-loop", RUNNING = "poll-loop", UNKNOWN = "failed-poll" }
    }
    error_message = "Status branches must follow the documented flow."
  }
  assert {
    condition = {
      for action in jsondecode(output.content).Actions : action.Identifier => action.Transitions.Errors[0].NextAction if action.Type == "InvokeLambdaFunction"
      } == {
      "invoke-writer"  = "retry-writer"
      "retry-writer"   = "apologize"
      "invoke-checker" = "failed-poll"
    }
    error_message = "A writer error must retry the (idempotent) writer once, then apologize; a checker error must poll again, after the checker's wait."
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

run "estate_prompt_and_its_length_pace_voice" {
  command = plan

  module {
    source = "./modules/contact-flow"
  }

  variables {
    holding = { prompt_id = "arn:aws:connect:eu-west-1:111122223333:instance/i/prompt/music", prompt_seconds = 6 }
  }

  assert {
    condition     = [for action in jsondecode(output.content).Actions : action.Parameters if action.Identifier == "hold"] == [{ PromptId = "arn:aws:connect:eu-west-1:111122223333:instance/i/prompt/music" }]
    error_message = "Voice must hold with the estate's prompt when one is named."
  }
  assert {
    condition     = output.pacing.voice_holding_seconds == 6 && output.pacing.voice_polls_per_reassurance == 3
    error_message = "A 6 s prompt and a 3.5 s poll: the reassurance (3.2 s) every 3 polls is closest to 25 s."
  }
}

run "estate_prompt_needs_its_length" {
  command = plan

  module {
    source = "./modules/contact-flow"
  }

  variables {
    holding = { prompt_id = "music" }
  }
  expect_failures = [var.holding]
}

run "defaults_poll_past_the_deadline" {
  command = plan

  module {
    source = "./modules/contact-flow"
  }

  assert {
    condition     = output.checker_wait_seconds == 3 && output.poll_count == 42 && output.pacing.pause_seconds == 0 && output.pacing.voice_polls_per_reassurance == 6 && output.pacing.chat_polls_per_reassurance == 3
    error_message = "The defaults (120 s deadline, 3 s checker wait) need ceil(120 / 3) + 2 = 42 polls, no pause; reassurance every 6 voice and 3 chat polls (one at the 8 s limit and two at 3 + 2 s stay within 20 s)."
  }
}

run "long_deadline_adds_a_pause" {
  command = plan

  module {
    source = "./modules/contact-flow"
  }

  variables {
    request_deadline_seconds = 3600
  }

  assert {
    condition     = output.pacing.pause_seconds == 34 && output.poll_count == 100 && [for action in jsondecode(output.content).Actions : action.Parameters.TimeLimitSeconds if action.Type == "Wait"] == ["3", "34"] && [for action in jsondecode(output.content).Actions : keys(action.Parameters) if action.Type == "Wait"] == [["TimeLimitSeconds"], ["TimeLimitSeconds"]]
    error_message = "A 3600 s deadline needs polls of ceil(3600 / 98) = 37 s: the 3 s wait and a 34 s pause (Wait on chat and task, silence on voice), ceil(3600 / 37) + 2 = 100 polls, Connect's largest Loop."
  }
  assert {
    condition     = [for action in jsondecode(output.content).Actions : action.Parameters.SSML if action.Identifier == "hold"] == ["<speak><break time=\"10000ms\"/><break time=\"10000ms\"/><break time=\"10000ms\"/><break time=\"4000ms\"/></speak>"]
    error_message = "A break lasts at most 10 s: 34 s of silence must be 10 + 10 + 10 + 4."
  }
}

run "checker_wait_within_the_time_limit" {
  command = plan

  module {
    source = "./modules/contact-flow"
  }

  variables {
    invocation_time_limit_seconds = 4
    checker_wait_seconds          = 4
  }
  expect_failures = [var.checker_wait_seconds]
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

run "checker_wait_defaults_to_the_root_modules" {
  command = plan
  module {
    source = "./modules/contact-flow"
  }
  assert {
    condition     = output.checker_wait_seconds == 3
    error_message = "The sub-module's checker_wait_seconds must default to the root module's 3 s."
  }
}

run "checker_wait_out_of_range" {
  command = plan
  module {
    source = "./modules/contact-flow"
  }
  variables {
    checker_wait_seconds = 5
  }
  expect_failures = [var.checker_wait_seconds]
}

run "checker_wait_over_the_time_limit" {
  command = plan
  module {
    source = "./modules/contact-flow"
  }
  variables {
    checker_wait_seconds          = 3
    invocation_time_limit_seconds = 6
  }
  expect_failures = [var.checker_wait_seconds]
}

run "no_checker_wait_fits_a_short_time_limit" {
  command = plan
  module {
    source = "./modules/contact-flow"
  }
  variables {
    checker_wait_seconds          = 0
    invocation_time_limit_seconds = 2
  }
  assert {
    condition     = output.checker_wait_seconds == 0
    error_message = "A checker that does not wait fits any time limit."
  }
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

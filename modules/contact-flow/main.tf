locals {
  writer_parameters = merge(
    var.task_parameters,
    var.task_name == null ? {} : { TaskName = var.task_name },
  )
  result_attributes = { for field in var.result_fields : field => "$.External.${field}" }
  # Connect's text-to-speech reads contact attribute references in place.
  thank_you_text = join(" ", concat([var.prompts.thank_you_prefix], [for field in var.result_fields : "$.Attributes.${field}"]))

  # The templates live in the repository's top-level flows/ folder (the design card's
  # place for them). A registry or git source downloads the whole repository, so the
  # path holds wherever the module is used from.
  flows_dir = "${path.module}/../../flows"
  template_path = coalesce(
    var.template_path,
    "${local.flows_dir}/${var.invoke_flow_module ? "async_tracker_invoke_module" : "async_tracker"}.json.tftpl",
  )
  # Which checker answers end the wait and how: one list for both templates, equal to
  # connect_tracker.domain.Status's partition (tests/unit/test_flow_statuses.py).
  statuses = jsondecode(file("${local.flows_dir}/status_branches.json"))

  # Pacing (docs/flow-design.md). The checker waits up to checker_wait_seconds in each
  # invocation and answers as soon as the request is terminal, so the polls follow each
  # other with only the holding in between: a result is picked up within the checker's
  # read interval, or after the holding it arrived in.
  #
  # Connect "limits the duration of a sequence of Lambda functions to 20 seconds" and a
  # Play prompt between them breaks the sequence (Admin Guide, "Grant Amazon Connect
  # access to your AWS Lambda functions", Best practice for invoking multiple Lambda
  # functions). Voice: every poll follows a prompt (the holding or the reassurance). Task:
  # a Play prompt, which "takes the Okay branch but it has no effect" there, precedes every
  # poll. Chat: a prompt is a message, so only the reassurance breaks the sequence: it
  # comes after chat_polls_per_reassurance polls, few enough that one slow call (up to the
  # block's limit) and the others (the checker's wait and chain_margin_seconds each) stay
  # within 20 s. The margin covers what Connect counts beyond the wait: the invocation's
  # latency and a cold start's INIT (a second or two for Python with boto3). With 0.5 s,
  # 4 polls a chain, the sandbox's fault tier ran its chat contacts into the limit at
  # 5.6 s a poll (docs/flow-design.md).
  chain_limit_seconds   = 20
  chain_margin_seconds  = 2
  checker_wait_seconds  = coalesce(var.checker_wait_seconds, min(3, max(0, var.invocation_time_limit_seconds - 4)))
  poll_seconds          = local.checker_wait_seconds + 0.5
  voice_holding_seconds = var.holding.prompt_id != null ? var.holding.prompt_seconds : local.silence_seconds
  # The reassurance takes the place of one holding; its speaking time counts, estimated at
  # 150 words a minute (the sandbox simulator's pace).
  reassurance_seconds = length(split(" ", trimspace(var.prompts.holding))) * 0.4
  voice_polls_per_reassurance = max(1, floor(
    (var.holding.reassurance_interval_seconds - local.reassurance_seconds - local.poll_seconds) / (local.voice_holding_seconds + local.poll_seconds) + 0.5
  ) + 1)
  chat_polls_per_reassurance = max(1, min(
    floor(var.holding.reassurance_interval_seconds / local.poll_seconds + 0.5),
    floor((local.chain_limit_seconds - var.invocation_time_limit_seconds) / (local.checker_wait_seconds + local.chain_margin_seconds)) + 1,
  ))
  # A poll that finds the request open lasts at least checker_wait_seconds; a deadline
  # longer than 98 of those adds a pause to each poll (voice: more silence, chat and
  # task: a Wait block) so that Connect's largest Loop (100) still reaches it.
  pause_seconds = max(0, ceil(var.request_deadline_seconds / 98) - local.checker_wait_seconds)
  # Polls up to the deadline, plus one for a poll the table did not answer (UNKNOWN) and
  # one for clock skew: the last poll comes after the deadline, when the checker has
  # sealed the request TIMED_OUT.
  poll_count = min(100, ceil(var.request_deadline_seconds / (local.checker_wait_seconds + local.pause_seconds)) + 2)
  # Where a failed poll goes (below): through the checker's wait, unless there is none.
  failed_poll_next = local.checker_wait_seconds > 0 ? "failed-poll" : "poll-loop"
  # The loop's Wait blocks (chat and task), each ending in `next`: the checker's wait
  # after a failed poll, and the pause a long deadline adds to each poll.
  loop_waits = merge(
    local.checker_wait_seconds > 0 ? { "failed-poll-wait" = { seconds = local.checker_wait_seconds, next = "poll-loop" } } : {},
    local.pause_seconds > 0 ? { pause = { seconds = local.pause_seconds, next = "invoke-checker" } } : {},
  )

  # Voice holding: the estate's audio prompt (of known length) or SSML silence; a
  # <break> lasts at most 10 s (Amazon Connect "SSML tags supported by Amazon Connect").
  silence_seconds = max(var.holding.silence_seconds, local.pause_seconds)
  silence_breaks = concat(
    [for _ in range(floor(local.silence_seconds / 10)) : 10000],
    local.silence_seconds % 10 == 0 ? [] : [floor((local.silence_seconds % 10) * 1000)],
  )
  voice_holding = var.holding.prompt_id != null ? { PromptId = var.holding.prompt_id } : {
    SSML = format("<speak>%s</speak>", join("", [for ms in local.silence_breaks : "<break time=\"${ms}ms\"/>"]))
  }

  # The poll loop, built once for the flow and the flow module; `exits` are where each
  # template leaves it. The flow module also drains the Loop when it returns: Connect's
  # Loop counts per action identifier and resets only after DoneLooping (flow-language
  # reference, Loop), so a second invocation of the module in the same contact would go
  # on from the first one's count. Draining runs the Loop to DoneLooping at once (no
  # prompt, no Lambda), and the next invocation starts at zero.
  poll_exits = {
    flow   = { complete = length(local.result_attributes) > 0 ? "store-result" : "thank-caller", failed = "apologize", exhausted = "apologize", drain = false }
    module = { complete = "store-result", failed = "store-outcome", exhausted = "polls-exhausted", drain = true }
  }
  poll_loop = { for kind, exits in local.poll_exits : kind => concat(
    [
      {
        Identifier = "poll-loop"
        Type       = "Loop"
        Parameters = { LoopCount = tostring(local.poll_count) }
        Transitions = {
          NextAction = exits.drain ? "drained-or-exhausted" : exits.exhausted
          Conditions = [
            { NextAction = exits.drain ? "drain-or-poll" : "pace-poll", Condition = { Operator = "Equals", Operands = ["ContinueLooping"] } },
            { NextAction = exits.drain ? "drained-or-exhausted" : exits.exhausted, Condition = { Operator = "Equals", Operands = ["DoneLooping"] } },
          ]
        }
      },
      {
        Identifier = "pace-poll"
        Type       = "Compare"
        Parameters = { ComparisonValue = "$.Channel" }
        Transitions = {
          NextAction = "chat-cadence"
          Conditions = [
            { NextAction = "voice-cadence", Condition = { Operator = "Equals", Operands = ["VOICE"] } },
            { NextAction = "task-pace", Condition = { Operator = "Equals", Operands = ["TASK"] } },
          ]
          Errors = [{ NextAction = "chat-cadence", ErrorType = "NoMatchingCondition" }]
        }
      },
      {
        Identifier = "voice-cadence"
        Type       = "Loop"
        Parameters = { LoopCount = tostring(local.voice_polls_per_reassurance - 1) }
        Transitions = {
          NextAction = "reassure"
          Conditions = [
            { NextAction = "hold", Condition = { Operator = "Equals", Operands = ["ContinueLooping"] } },
            { NextAction = "reassure", Condition = { Operator = "Equals", Operands = ["DoneLooping"] } },
          ]
        }
      },
      {
        Identifier = "hold"
        Type       = "MessageParticipant"
        Parameters = local.voice_holding
        Transitions = {
          NextAction = "invoke-checker"
          Errors     = [{ NextAction = "invoke-checker", ErrorType = "NoMatchingError" }]
        }
      },
      {
        Identifier = "chat-cadence"
        Type       = "Loop"
        Parameters = { LoopCount = tostring(local.chat_polls_per_reassurance - 1) }
        Transitions = {
          NextAction = "reassure"
          Conditions = [
            { NextAction = local.pause_seconds > 0 ? "pause" : "invoke-checker", Condition = { Operator = "Equals", Operands = ["ContinueLooping"] } },
            { NextAction = "reassure", Condition = { Operator = "Equals", Operands = ["DoneLooping"] } },
          ]
        }
      },
      {
        Identifier = "task-pace"
        Type       = "MessageParticipant"
        Parameters = { Text = var.prompts.holding }
        Transitions = {
          NextAction = local.pause_seconds > 0 ? "pause" : "invoke-checker"
          Errors     = [{ NextAction = local.pause_seconds > 0 ? "pause" : "invoke-checker", ErrorType = "NoMatchingError" }]
        }
      },
      {
        Identifier = "reassure"
        Type       = "MessageParticipant"
        Parameters = { Text = var.prompts.holding }
        Transitions = {
          NextAction = "invoke-checker"
          Errors     = [{ NextAction = "invoke-checker", ErrorType = "NoMatchingError" }]
        }
      },
      {
        Identifier = "invoke-checker"
        Type       = "InvokeLambdaFunction"
        Parameters = {
          LambdaFunctionARN          = var.checker_function_arn
          InvocationTimeLimitSeconds = tostring(var.invocation_time_limit_seconds)
          ResponseValidation         = { ResponseType = "STRING_MAP" }
          LambdaInvocationAttributes = { RequestId = "$.Attributes.TrackerRequestId" }
        }
        Transitions = {
          NextAction = "check-request-status"
          Errors     = [{ NextAction = local.failed_poll_next, ErrorType = "NoMatchingError" }]
        }
      },
      {
        Identifier = "check-request-status"
        Type       = "Compare"
        Parameters = { ComparisonValue = "$.External.Status" }
        Transitions = {
          NextAction = "poll-loop"
          Conditions = concat(
            [for status in local.statuses.complete : { NextAction = exits.complete, Condition = { Operator = "Equals", Operands = [status] } }],
            [for status in local.statuses.failed : { NextAction = exits.failed, Condition = { Operator = "Equals", Operands = [status] } }],
            [for status in local.statuses.poll_again : { NextAction = status == "UNKNOWN" ? local.failed_poll_next : "poll-loop", Condition = { Operator = "Equals", Operands = [status] } }],
          )
          Errors = [{ NextAction = local.failed_poll_next, ErrorType = "NoMatchingCondition" }]
        }
      },
    ],
    # A poll whose invocation failed (throttled past Connect's retries, a runtime that did
    # not start, the function's own error) takes the error branch at once, and one the
    # table did not answer (UNKNOWN) or with a status the flow does not know may come as
    # fast, while poll_count counts on polls that last the checker's wait. So a failed
    # poll waits that long before the Loop counts the next one: voice in silence (a
    # prompt, which also ends the chain of Lambda calls), chat and task in a Wait block
    # (loop_waits). Else a burst of failures spends every poll in moments, and the caller
    # hears the apology while the request is on time (docs/flow-design.md). A slice, not
    # a conditional: a conditional's two lists must have one type, and these differ.
    slice([
      {
        Identifier = "failed-poll"
        Type       = "Compare"
        Parameters = { ComparisonValue = "$.Channel" }
        Transitions = {
          NextAction = "failed-poll-wait"
          Conditions = [{ NextAction = "failed-poll-hold", Condition = { Operator = "Equals", Operands = ["VOICE"] } }]
          Errors     = [{ NextAction = "failed-poll-wait", ErrorType = "NoMatchingCondition" }]
        }
      },
      {
        Identifier = "failed-poll-hold"
        Type       = "MessageParticipant"
        Parameters = { SSML = format("<speak><break time=\"%dms\"/></speak>", local.checker_wait_seconds * 1000) }
        Transitions = {
          NextAction = "poll-loop"
          Errors     = [{ NextAction = "poll-loop", ErrorType = "NoMatchingError" }]
        }
      },
    ], 0, local.checker_wait_seconds > 0 ? 2 : 0),
    [for identifier, wait in local.loop_waits : {
      Identifier = identifier
      Type       = "Wait"
      Parameters = { TimeLimitSeconds = tostring(wait.seconds) }
      Transitions = {
        NextAction = wait.next
        Conditions = [{ NextAction = wait.next, Condition = { Operator = "Equals", Operands = ["WaitCompleted"] } }]
        Errors     = [{ NextAction = wait.next, ErrorType = "NoMatchingError" }]
      }
    }],
    exits.drain ? [
      {
        Identifier = "drain-or-poll"
        Type       = "Compare"
        Parameters = { ComparisonValue = "$.FlowAttributes.TrackerDraining" }
        Transitions = {
          NextAction = "pace-poll"
          Conditions = [{ NextAction = "poll-loop", Condition = { Operator = "Equals", Operands = ["true"] } }]
          Errors     = [{ NextAction = "pace-poll", ErrorType = "NoMatchingCondition" }]
        }
      },
      {
        Identifier = "drained-or-exhausted"
        Type       = "Compare"
        Parameters = { ComparisonValue = "$.FlowAttributes.TrackerDraining" }
        Transitions = {
          NextAction = exits.exhausted
          Conditions = [{ NextAction = "stop-drain", Condition = { Operator = "Equals", Operands = ["true"] } }]
          Errors     = [{ NextAction = exits.exhausted, ErrorType = "NoMatchingCondition" }]
        }
      },
    ] : [],
  ) }

  # The flow module (docs/flow-module.md): the task name and the RequestKey come from
  # contact attributes, the only data a module shares with the flow invoking it (Admin
  # Guide, "Flow modules for reusable functions", Limitations). An attribute never set
  # reaches the writer empty: no TaskName means the writer's default task, no RequestKey
  # means none (connect_tracker.connect.split_ask).
  module_writer_parameters = merge(var.task_parameters, {
    TaskName   = "$.Attributes.TrackerTaskName"
    RequestKey = "$.Attributes.TrackerRequestKey"
  })
  module_output_attributes = concat(["TrackerStatus", "TrackerRequestId", "TrackerErrorCode", "TrackerErrorMessage"], var.result_fields)

  flow_module_content = trimspace(templatefile("${local.flows_dir}/async_tracker_module.json.tftpl", {
    writer_function_arn   = var.writer_function_arn
    invocation_time_limit = tostring(var.invocation_time_limit_seconds)
    writer_parameters     = local.module_writer_parameters
    writer_accepted       = local.statuses.writer_accepted
    result_attributes     = local.result_attributes
    cleared_attributes    = { for name in local.module_output_attributes : name => "" }
    poll_actions          = local.poll_loop.module
  }))

  content = trimspace(templatefile(local.template_path, {
    flow_module_id        = var.flow_module_id == null ? "" : var.flow_module_id
    task_name_attribute   = var.task_name == null ? "" : var.task_name
    writer_function_arn   = var.writer_function_arn
    invocation_time_limit = tostring(var.invocation_time_limit_seconds)
    writer_parameters     = local.writer_parameters
    writer_accepted       = local.statuses.writer_accepted
    result_attributes     = local.result_attributes
    prompts               = var.prompts
    thank_you_text        = local.thank_you_text
    poll_actions          = local.poll_loop.flow
  }))
}

output "content" {
  description = "The contact flow in Amazon Connect's flow language, as a JSON string (aws_connect_contact_flow.content)."
  value       = local.content
}

output "action_identifiers" {
  description = "Identifiers of the flow's actions, in document order."
  value       = [for action in jsondecode(local.content).Actions : action.Identifier]
}

output "poll_count" {
  description = "How many times the flow polls the checker before it gives up (the Loop block's count): ceil(request_deadline_seconds / (checker_wait_seconds + pause)) + 2, at most 100, so the last poll comes after the request's deadline."
  value       = local.poll_count
}

output "checker_wait_seconds" {
  description = "Seconds one checker invocation waits for its request before it answers an open status (checker_wait_seconds, or its default): the time each poll of the flow spends in the checker at most, beside the function's own call."
  value       = local.checker_wait_seconds
}

output "last_poll_window_seconds" {
  description = "Seconds the flow may take, at most, from a poll that found the request open to the next poll's read of the table: the longest holding between two polls (the voice holding, the reassurance or the pause) plus the checker block's time limit, rounded up. The flow's last poll comes up to this long after the request's deadline, so its record must outlive deadline + window (the root module's request_ttl_seconds check)."
  value       = ceil(max(local.voice_holding_seconds, local.reassurance_seconds, local.pause_seconds) + var.invocation_time_limit_seconds)
}

output "pacing" {
  description = "The flow's timing, derived from the inputs: pause_seconds (added to each poll for deadlines longer than 98 checker waits), voice_holding_seconds (the holding before each voice poll), voice_polls_per_reassurance and chat_polls_per_reassurance."
  value = {
    pause_seconds               = local.pause_seconds
    voice_holding_seconds       = local.voice_holding_seconds
    voice_polls_per_reassurance = local.voice_polls_per_reassurance
    chat_polls_per_reassurance  = local.chat_polls_per_reassurance
  }
}

output "flow_module_content" {
  description = "The tracker as an Amazon Connect flow module, as a JSON string (aws_connect_contact_flow_module.content): starts the task contact attribute TrackerTaskName names, waits for it paced by time per channel, and returns TrackerStatus, TrackerRequestId, TrackerErrorCode, TrackerErrorMessage and the result_fields as contact attributes (docs/flow-module.md). Rendered whether or not the flow invokes it."
  value       = local.flow_module_content
}

output "flow_module_action_identifiers" {
  description = "Identifiers of the flow module's actions, in document order."
  value       = [for action in jsondecode(local.flow_module_content).Actions : action.Identifier]
}

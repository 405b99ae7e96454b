output "content" {
  description = "The contact flow in Amazon Connect's flow language, as a JSON string (aws_connect_contact_flow.content)."
  value       = local.content
}

output "action_identifiers" {
  description = "Identifiers of the flow's actions, in document order."
  value       = [for action in jsondecode(local.content).Actions : action.Identifier]
}

output "poll_count" {
  description = "How many times the flow polls the checker before it gives up (the Loop block's count): ceil(request_deadline_seconds / poll_interval_seconds) + 1, so the last poll comes after the request's deadline."
  value       = local.poll_count
}

output "poll_interval_seconds" {
  description = "Seconds between two polls (the Wait block's TimeLimitSeconds; the silence after the voice holding prompt): poll_interval_seconds, or its default derived from request_deadline_seconds."
  value       = local.poll_interval_seconds
}

output "checker_wait_seconds" {
  description = "Seconds one checker invocation waits for its request before it answers an open status (checker_wait_seconds): the time each poll of the flow spends in the checker at most, beside the function's own call."
  value       = var.checker_wait_seconds
}

output "flow_module_content" {
  description = "The tracker as an Amazon Connect flow module, as a JSON string (aws_connect_contact_flow_module.content): starts the task contact attribute TrackerTaskName names, waits for it paced by time per channel, and returns TrackerStatus, TrackerRequestId, TrackerErrorCode, TrackerErrorMessage and the result_fields as contact attributes (docs/flow-module.md). Rendered whether or not the flow invokes it."
  value       = local.flow_module_content
}

output "flow_module_action_identifiers" {
  description = "Identifiers of the flow module's actions, in document order."
  value       = [for action in jsondecode(local.flow_module_content).Actions : action.Identifier]
}

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
  description = "Seconds between two polls (the Wait block's TimeoutSeconds; the silence after the voice holding prompt): poll_interval_seconds, or its default derived from request_deadline_seconds."
  value       = local.poll_interval_seconds
}

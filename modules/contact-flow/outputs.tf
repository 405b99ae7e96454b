output "content" {
  description = "The contact flow in Amazon Connect's flow language, as a JSON string (aws_connect_contact_flow.content)."
  value       = local.content
}

output "action_identifiers" {
  description = "Identifiers of the flow's actions, in document order."
  value       = [for action in jsondecode(local.content).Actions : action.Identifier]
}

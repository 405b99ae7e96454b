output "writer_function_arn" {
  description = "ARN of the writer function."
  value       = module.tracker.writer_function_arn
}

output "checker_function_arn" {
  description = "ARN of the checker function."
  value       = module.tracker.checker_function_arn
}

output "writer_function_name" {
  description = "Name of the writer function (the integration Stack invokes by name)."
  value       = module.tracker.writer_function_name
}

output "checker_function_name" {
  description = "Name of the checker function (the integration Stack invokes by name)."
  value       = module.tracker.checker_function_name
}

output "tracker_table_name" {
  description = "Name of the tracker table."
  value       = module.tracker.tracker_table_name
}

output "contact_flow_arn" {
  description = "ARN of the flow published to the sandbox's Connect instance."
  value       = module.tracker.contact_flow_arn
}

output "contact_flow_id" {
  description = "Id of the published flow."
  value       = module.tracker.contact_flow_id
}

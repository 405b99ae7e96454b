output "tracker_table_name" {
  description = "Name of the tracker table."
  value       = module.tracker.tracker_table_name
}

output "writer_function_arn" {
  description = "ARN of the writer function (invoke it from your flow)."
  value       = module.tracker.writer_function_arn
}

output "checker_function_arn" {
  description = "ARN of the checker function (poll it from your flow)."
  value       = module.tracker.checker_function_arn
}

output "contact_flow_content" {
  description = "The rendered contact flow JSON, to import into Amazon Connect by hand."
  value       = module.tracker.contact_flow_content
}

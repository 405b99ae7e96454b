output "tracker_table_name" {
  description = "Name of the tracker table."
  value       = module.tracker.tracker_table_name
}

output "writer_function_arn" {
  description = "ARN of the writer function."
  value       = module.tracker.writer_function_arn
}

output "checker_function_arn" {
  description = "ARN of the checker function."
  value       = module.tracker.checker_function_arn
}

output "processor_function_arn" {
  description = "ARN of the processor function (the stream's dispatcher)."
  value       = module.tracker.processor_function_arn
}

output "worker_function_arn" {
  description = "ARN of the worker function (runs each request's task); grant your tasks' permissions to worker_role_arn."
  value       = module.tracker.worker_function_arn
}

output "worker_role_arn" {
  description = "ARN of the worker's execution role, the one your tasks run with."
  value       = module.tracker.worker_role_arn
}

output "on_failure_queue_url" {
  description = "URL of the on-failure queue: stream batches the processor gave up on and worker events Lambda gave up on."
  value       = module.tracker.on_failure_queue_url
}

output "contact_flow_id" {
  description = "ID of the published contact flow: attach it to a phone number."
  value       = module.tracker.contact_flow_id
}

output "kms_key_arn" {
  description = "ARN of the KMS key encrypting the tracker."
  value       = aws_kms_key.tracker.arn
}

output "alarm_topic_arn" {
  description = "ARN of the SNS topic the alarms notify: subscribe the on-call to it."
  value       = aws_sns_topic.alarms.arn
}

output "dashboard_name" {
  description = "Name of the tracker's CloudWatch dashboard."
  value       = module.tracker.dashboard_name
}

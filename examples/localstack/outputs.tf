output "tracker_table_name" {
  description = "Name of the tracker table."
  value       = module.tracker.tracker_table_name
}

output "tracker_table_arn" {
  description = "ARN of the tracker table."
  value       = module.tracker.tracker_table_arn
}

output "tracker_table_stream_arn" {
  description = "ARN of the tracker table's stream."
  value       = module.tracker.tracker_table_stream_arn
}

output "writer_function_name" {
  description = "Name of the writer function."
  value       = module.tracker.writer_function_name
}

output "processor_function_name" {
  description = "Name of the processor function."
  value       = module.tracker.processor_function_name
}

output "checker_function_name" {
  description = "Name of the checker function."
  value       = module.tracker.checker_function_name
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
  description = "ARN of the processor function."
  value       = module.tracker.processor_function_arn
}

output "worker_function_name" {
  description = "Name of the worker function (runs each request's task)."
  value       = module.tracker.worker_function_name
}

output "worker_function_arn" {
  description = "ARN of the worker function."
  value       = module.tracker.worker_function_arn
}

output "log_group_names" {
  description = "Log group names by function (writer, processor, checker)."
  value       = module.tracker.log_group_names
}

output "event_source_mapping_uuid" {
  description = "UUID of the stream's event source mapping to the processor."
  value       = module.tracker.event_source_mapping_uuid
}

output "on_failure_queue_url" {
  description = "URL of the on-failure queue."
  value       = module.tracker.on_failure_queue_url
}

output "on_failure_queue_arn" {
  description = "ARN of the on-failure queue."
  value       = module.tracker.on_failure_queue_arn
}

output "contact_flow_content" {
  description = "The rendered contact flow JSON."
  value       = module.tracker.contact_flow_content
}

output "contact_flow_id" {
  description = "ID of the published flow (null without connect_instance_arn)."
  value       = module.tracker.contact_flow_id
}

output "lambda_package_path" {
  description = "Path of the built deployment package."
  value       = module.tracker.lambda_package_path
}

output "package_bucket_name" {
  description = "S3 bucket the deployment package is staged in."
  value       = module.tracker.package_bucket_name
}

output "package_object_key" {
  description = "Key of the staged package the functions' code comes from."
  value       = module.tracker.package_object_key
}

output "lambda_source_hash" {
  description = "Plan-time source hash the functions carry as source_code_hash."
  value       = module.tracker.lambda_source_hash
}

output "connect_instance_arn" {
  description = "ARN of the sandbox's Connect instance, when one was created."
  value       = try(aws_connect_instance.sandbox[0].arn, var.connect_instance_arn)
}

output "contact_flow_arn" {
  description = "ARN of the published contact flow (null without a Connect instance)."
  value       = module.tracker.contact_flow_arn
}

output "alarm_arns" {
  description = "ARNs of the module's CloudWatch alarms, by alarm."
  value       = module.tracker.alarm_arns
}

output "alarm_metric_namespace" {
  description = "Namespace of the metrics the module counts from the logs."
  value       = module.tracker.alarm_metric_namespace
}

output "alarm_topic_arn" {
  description = "ARN of the SNS topic the alarms notify on ALARM and on OK."
  value       = aws_sns_topic.alarms.arn
}

output "dashboard_name" {
  description = "Name of the module's CloudWatch dashboard."
  value       = module.tracker.dashboard_name
}

output "contact_flow_module_id" {
  description = "ID of the tracker's flow module (null unless create_contact_flow_module)."
  value       = module.tracker.contact_flow_module_id
}

output "contact_flow_module_content" {
  description = "The rendered flow module JSON."
  value       = module.tracker.contact_flow_module_content
}

output "two_lookups_flow_id" {
  description = "ID of the flow invoking the flow module twice (null unless create_contact_flow_module)."
  value       = try(aws_connect_contact_flow.two_lookups[0].contact_flow_id, null)
}

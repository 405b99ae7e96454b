################################################################################
# Tracker table
################################################################################

output "tracker_table_name" {
  description = "Name of the DynamoDB tracker table."
  value       = try(aws_dynamodb_table.this[0].name, null)
}

output "tracker_table_arn" {
  description = "ARN of the DynamoDB tracker table."
  value       = try(aws_dynamodb_table.this[0].arn, null)
}

output "tracker_table_stream_arn" {
  description = "ARN of the tracker table's stream (NEW_IMAGE) that triggers the processor."
  value       = try(aws_dynamodb_table.this[0].stream_arn, null)
}

################################################################################
# Functions
################################################################################

output "writer_function_name" {
  description = "Name of the writer Lambda function (invoked by the flow to record a request)."
  value       = try(aws_lambda_function.this["writer"].function_name, null)
}

output "writer_function_arn" {
  description = "ARN of the writer Lambda function."
  value       = try(aws_lambda_function.this["writer"].arn, null)
}

output "processor_function_name" {
  description = "Name of the processor Lambda function (triggered by the table stream; hands each new request to its own worker invocation)."
  value       = try(aws_lambda_function.this["processor"].function_name, null)
}

output "processor_function_arn" {
  description = "ARN of the processor Lambda function."
  value       = try(aws_lambda_function.this["processor"].arn, null)
}

output "worker_function_name" {
  description = "Name of the worker Lambda function (invoked asynchronously by the processor, once per request, to run its task)."
  value       = try(aws_lambda_function.this["worker"].function_name, null)
}

output "worker_function_arn" {
  description = "ARN of the worker Lambda function."
  value       = try(aws_lambda_function.this["worker"].arn, null)
}

output "checker_function_name" {
  description = "Name of the checker Lambda function (polled by the flow for the result)."
  value       = try(aws_lambda_function.this["checker"].function_name, null)
}

output "checker_function_arn" {
  description = "ARN of the checker Lambda function."
  value       = try(aws_lambda_function.this["checker"].arn, null)
}

output "writer_role_arn" {
  description = "ARN of the writer's IAM execution role."
  value       = try(aws_iam_role.this["writer"].arn, null)
}

output "processor_role_arn" {
  description = "ARN of the processor's IAM execution role."
  value       = try(aws_iam_role.this["processor"].arn, null)
}

output "worker_role_arn" {
  description = "ARN of the worker's IAM execution role."
  value       = try(aws_iam_role.this["worker"].arn, null)
}

output "checker_role_arn" {
  description = "ARN of the checker's IAM execution role."
  value       = try(aws_iam_role.this["checker"].arn, null)
}

output "log_group_names" {
  description = "CloudWatch log group names of the functions, by function (writer, processor, worker, checker)."
  value       = local.create ? { for key, group in aws_cloudwatch_log_group.this : key => group.name } : null
}

################################################################################
# Stream trigger
################################################################################

output "event_source_mapping_uuid" {
  description = "UUID of the event source mapping from the table stream to the processor."
  value       = try(aws_lambda_event_source_mapping.processor[0].uuid, null)
}

output "on_failure_queue_url" {
  description = "URL of the SQS queue receiving records of stream batches the processor gave up on and of worker events Lambda gave up on."
  value       = try(aws_sqs_queue.on_failure[0].url, null)
}

output "on_failure_queue_arn" {
  description = "ARN of the on-failure SQS queue."
  value       = try(aws_sqs_queue.on_failure[0].arn, null)
}

################################################################################
# Amazon Connect
################################################################################

output "contact_flow_id" {
  description = "ID of the published contact flow (null without connect_instance_arn or with contact_flow.create = false)."
  value       = try(aws_connect_contact_flow.this[0].contact_flow_id, null)
}

output "contact_flow_arn" {
  description = "ARN of the published contact flow (null without connect_instance_arn or with contact_flow.create = false)."
  value       = try(aws_connect_contact_flow.this[0].arn, null)
}

output "contact_flow_content" {
  description = "The rendered contact flow JSON (flow language), with or without a Connect instance: import it by hand when the module does not publish it."
  value       = try(module.contact_flow[0].content, null)
}

################################################################################
# Package
################################################################################

output "lambda_package_path" {
  description = "Path of the local deployment package (built at apply time unless lambda_package_path was given): uploaded to package_object_key when package_bucket.enabled, else the file the functions are created from."
  value       = local.create ? local.package_path : null
}

output "package_bucket_name" {
  description = "Name of the S3 bucket the deployment package is staged in (created by the module or package_bucket.bucket_name); null when package_bucket.enabled is false."
  value       = local.stage_package ? local.package_bucket_id : null
}

output "package_object_key" {
  description = "Key of the S3 object the functions' code comes from (one per package hash); null when package_bucket.enabled is false."
  value       = local.stage_package ? local.package_object_key : null
}

output "lambda_source_hash" {
  description = "Base64 SHA-256 the functions' source_code_hash is set to: computed at plan time from the packaged sources, or the prebuilt package's hash."
  value       = local.create ? local.package_hash : null
}

################################################################################
# Alarms and dashboard
################################################################################

output "alarm_arns" {
  description = "ARNs of the CloudWatch alarms, by alarm (on_failure_queue_depth, stream_iterator_age, <function>_errors, <function>_throttles, checker_unknown_answers, writer_failures, worker_async_event_age, worker_async_events_dropped, processor_destination_delivery_failures and worker_destination_delivery_failures); null without alarms."
  value       = local.create_alarms ? { for key, alarm in aws_cloudwatch_metric_alarm.this : key => alarm.arn } : null
}

output "alarm_metric_namespace" {
  description = "CloudWatch namespace of the metrics the module counts from the functions' logs (CheckerUnknownAnswers, WriterFailures); null without alarms."
  value       = local.create_alarms ? local.alarm_metric_namespace : null
}

output "dashboard_name" {
  description = "Name of the CloudWatch dashboard (null unless create_dashboard)."
  value       = try(aws_cloudwatch_dashboard.this[0].dashboard_name, null)
}

output "contact_flow_module_id" {
  description = "ID of the published flow module (null unless contact_flow_module.create and the Connect resources are created): the FlowModuleId your flows' InvokeFlowModule blocks name."
  value       = try(aws_connect_contact_flow_module.this[0].contact_flow_module_id, null)
}

output "contact_flow_module_arn" {
  description = "ARN of the published flow module (null unless contact_flow_module.create and the Connect resources are created)."
  value       = try(aws_connect_contact_flow_module.this[0].arn, null)
}

output "contact_flow_module_content" {
  description = "The rendered flow module JSON (flow language), with or without a Connect instance: import it by hand when the module does not publish it (docs/flow-module.md)."
  value       = try(module.contact_flow[0].flow_module_content, null)
}

output "tracker" {
  description = "The module's outputs the bench uses."
  value = {
    table_name              = module.tracker.tracker_table_name
    writer_function_name    = module.tracker.writer_function_name
    writer_function_arn     = module.tracker.writer_function_arn
    checker_function_name   = module.tracker.checker_function_name
    checker_function_arn    = module.tracker.checker_function_arn
    processor_function_name = module.tracker.processor_function_name
    worker_function_name    = module.tracker.worker_function_name
    log_group_names         = module.tracker.log_group_names
    mapping_uuid            = module.tracker.event_source_mapping_uuid
    contact_flow_content    = module.tracker.contact_flow_content
    lambda_package_path     = module.tracker.lambda_package_path
  }
}

output "floor" {
  description = "The no-op floor function and its mapping."
  value = {
    function_name = module.floor.function_name
    log_group     = module.floor.log_group
    mapping_uuid  = module.floor.mapping_uuid
  }
}

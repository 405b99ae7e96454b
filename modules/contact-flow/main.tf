locals {
  writer_parameters = merge(
    var.task_parameters,
    var.task_name == null ? {} : { TaskName = var.task_name },
  )
  result_attributes = { for field in var.result_fields : field => "$.External.${field}" }
  # Connect's text-to-speech reads contact attribute references in place.
  thank_you_text = join(" ", concat([var.prompts.thank_you_prefix], [for field in var.result_fields : "$.Attributes.${field}"]))

  # The template lives in the repository's flows/ folder, beside the other flow files.
  template_path = coalesce(var.template_path, "${path.module}/../../flows/async_tracker.json.tftpl")

  content = trimspace(templatefile(local.template_path, {
    writer_function_arn   = var.writer_function_arn
    checker_function_arn  = var.checker_function_arn
    invocation_time_limit = tostring(var.invocation_time_limit_seconds)
    loop_count            = tostring(var.poll_count)
    writer_parameters     = local.writer_parameters
    result_attributes     = local.result_attributes
    prompts               = var.prompts
    thank_you_text        = local.thank_you_text
  }))
}

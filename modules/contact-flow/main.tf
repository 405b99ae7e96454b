locals {
  writer_parameters = merge(
    var.task_parameters,
    var.task_name == null ? {} : { TaskName = var.task_name },
  )
  result_attributes = { for field in var.result_fields : field => "$.External.${field}" }
  # Connect's text-to-speech reads contact attribute references in place.
  thank_you_text = join(" ", concat([var.prompts.thank_you_prefix], [for field in var.result_fields : "$.Attributes.${field}"]))

  # Polls are spaced by at least poll_interval_seconds on every channel, so poll k comes at
  # least k intervals after the request was created. ceil(deadline / interval) polls reach
  # the deadline (the checker seals an open request TIMED_OUT at or after it); one more
  # covers a poll the table did not answer (UNKNOWN) and clock skew.
  poll_interval_seconds = coalesce(var.poll_interval_seconds, max(5, ceil(var.request_deadline_seconds / 99)))
  poll_count            = ceil(var.request_deadline_seconds / local.poll_interval_seconds) + 1

  # Voice: the holding text, then silence adding up to the interval. A <break> lasts at
  # most 10 s (Amazon Connect "SSML tags supported by Amazon Connect"), so longer
  # intervals chain breaks. The text is XML-escaped: it is SSML, not plain text.
  break_seconds = concat(
    [for _ in range(floor(local.poll_interval_seconds / 10)) : 10],
    local.poll_interval_seconds % 10 == 0 ? [] : [local.poll_interval_seconds % 10],
  )
  holding_ssml = format(
    "<speak>%s%s</speak>",
    replace(replace(replace(var.prompts.holding, "&", "&amp;"), "<", "&lt;"), ">", "&gt;"),
    join("", [for seconds in local.break_seconds : "<break time=\"${seconds}s\"/>"]),
  )

  # The templates live in the repository's top-level flows/ folder (the design card's
  # place for them). A registry or git source downloads the whole repository, so the
  # path holds wherever the module is used from.
  flows_dir = "${path.module}/../../flows"
  template_path = coalesce(
    var.template_path,
    "${local.flows_dir}/${var.invoke_flow_module ? "async_tracker_invoke_module" : "async_tracker"}.json.tftpl",
  )

  # The flow module (docs/flow-module.md): the task name and the RequestKey come from
  # contact attributes, the only data a module shares with the flow invoking it (Admin
  # Guide, "Flow modules for reusable functions", Limitations). An attribute never set
  # reaches the writer empty: no TaskName means the writer's default task, no RequestKey
  # means none (connect_tracker.connect.split_ask).
  module_writer_parameters = merge(var.task_parameters, {
    TaskName   = "$.Attributes.TrackerTaskName"
    RequestKey = "$.Attributes.TrackerRequestKey"
  })
  module_output_attributes = concat(["TrackerStatus", "TrackerRequestId", "TrackerErrorCode", "TrackerErrorMessage"], var.result_fields)

  flow_module_content = trimspace(templatefile("${local.flows_dir}/async_tracker_module.json.tftpl", {
    writer_function_arn   = var.writer_function_arn
    checker_function_arn  = var.checker_function_arn
    invocation_time_limit = tostring(var.invocation_time_limit_seconds)
    loop_count            = tostring(local.poll_count)
    poll_interval_seconds = tostring(local.poll_interval_seconds)
    holding_ssml          = local.holding_ssml
    writer_parameters     = local.module_writer_parameters
    result_attributes     = local.result_attributes
    cleared_attributes    = { for name in local.module_output_attributes : name => "" }
    prompts               = var.prompts
  }))

  content = trimspace(templatefile(local.template_path, {
    flow_module_id        = var.flow_module_id == null ? "" : var.flow_module_id
    task_name_attribute   = var.task_name == null ? "" : var.task_name
    writer_function_arn   = var.writer_function_arn
    checker_function_arn  = var.checker_function_arn
    invocation_time_limit = tostring(var.invocation_time_limit_seconds)
    loop_count            = tostring(local.poll_count)
    poll_interval_seconds = tostring(local.poll_interval_seconds)
    holding_ssml          = local.holding_ssml
    writer_parameters     = local.writer_parameters
    result_attributes     = local.result_attributes
    prompts               = var.prompts
    thank_you_text        = local.thank_you_text
  }))
}

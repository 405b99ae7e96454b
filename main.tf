locals {
  create = var.create

  # An explicit switch lets the instance ARN be unknown at plan time (an instance created
  # in the same configuration); without it, the ARN's presence decides.
  create_connect = local.create && (var.create_connect_resources != null ? var.create_connect_resources : var.connect_instance_arn != null)
  # arn:<partition>:connect:<region>:<account>:instance/<instance-id>
  connect_instance_id = var.connect_instance_arn == null ? null : element(split("/", var.connect_instance_arn), 1)
  # The tracker as a flow module, which the module's flow then invokes (connect.tf).
  create_flow_module = local.create_connect && var.contact_flow_module.create
  # The module's own contact flow; an estate with its own flows may publish only the module.
  create_contact_flow = local.create_connect && var.contact_flow.create
  # How long after the deadline the flow's last poll may read the table (request_ttl_seconds
  # must cover it); 0 when nothing is created.
  last_poll_window_seconds = local.create ? module.contact_flow[0].last_poll_window_seconds : 0

  table_name = "${var.name}-tracker"
  queue_name = "${var.name}-processor-failures"

  handlers = {
    writer    = "connect_tracker.handlers.writer.handler"
    processor = "connect_tracker.handlers.processor.handler"
    worker    = "connect_tracker.handlers.worker.handler"
    checker   = "connect_tracker.handlers.checker.handler"
  }
  # The processor (the stream's dispatcher) invokes the worker asynchronously, once per new
  # request; the worker invokes itself to hand a request over (docs/execution.md).
  worker_function_name = "${var.name}-worker"
  functions = {
    for key, settings in var.functions : key => merge(settings, {
      name    = "${var.name}-${key}"
      handler = local.handlers[key]
    })
  }
  # Functions the contact flow invokes: they get the Connect permission and association.
  connect_functions = local.create_connect ? toset(["writer", "checker"]) : toset([])

  kms_key_arn       = var.kms_key_arn
  log_group_kms_key = var.kms_key_arn != null && var.encrypt_log_groups_with_kms_key ? var.kms_key_arn : null

  task_modules = concat(
    var.enable_demo_tasks ? ["connect_tracker.tasks.builtin"] : [],
    length(var.task_modules) > 0 ? var.task_modules : (var.task_source_dir != null ? [local.task_package_name] : []),
  )

  common_environment = {
    TRACKER_TABLE_NAME           = local.table_name
    TRACKER_SENSITIVE_PARAMETERS = join(",", var.sensitive_parameters)
  }
  environment = {
    writer = merge(local.common_environment, {
      TRACKER_LOG_PARAMETERS_IN_CLEAR  = join(",", var.log_parameters_in_clear)
      TRACKER_REQUEST_DEADLINE_SECONDS = tostring(var.request_deadline_seconds)
      TRACKER_REQUEST_TTL_SECONDS      = tostring(var.request_ttl_seconds)
      TRACKER_DEFAULT_TASK             = var.default_task == null ? "" : var.default_task
    })
    processor = merge(local.common_environment, {
      TRACKER_WORKER_FUNCTION = local.worker_function_name
    })
    worker = merge(
      local.common_environment,
      {
        TRACKER_TASK_MODULES    = join(",", local.task_modules)
        TRACKER_WORKER_FUNCTION = local.worker_function_name
      },
      { for key, value in var.task_environment : "TRACKER_TASK_ENV_${key}" => value },
      # Where each secret lives (an ARN is no secret); the worker reads the value itself.
      { for name, arn in var.task_secrets : "TRACKER_TASK_SECRET_${name}" => arn },
    )
    checker = merge(local.common_environment, {
      TRACKER_CONSISTENT_READ      = tostring(var.consistent_read)
      TRACKER_CHECKER_WAIT_SECONDS = tostring(var.checker_wait_seconds)
    })
  }

  tags = var.tags
}

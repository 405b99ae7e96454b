resource "aws_cloudwatch_log_group" "this" {
  for_each = local.create ? local.functions : {}

  #checkov:skip=CKV_AWS_338:Retention is the caller's choice (var.logging.retention_in_days, default 30 days): these are operational logs of short-lived requests, not an audit trail.

  # Lambda's default log group name: created here so retention and encryption apply
  # from the first invocation and the group is removed with the module.
  name              = "/aws/lambda/${each.value.name}"
  retention_in_days = var.logging.retention_in_days
  kms_key_id        = local.log_group_kms_key

  tags = local.tags

  # The packager's interpreter check runs before anything is created (packaging.tf).
  depends_on = [terraform_data.package]
}

resource "aws_lambda_function" "this" {
  for_each = local.create ? local.functions : {}

  #checkov:skip=CKV_AWS_116:Connect invokes writer and checker synchronously (no DLQ applies); the processor's failures go to the event source mapping's on-failure queue.
  #checkov:skip=CKV_AWS_117:The worker joins a VPC with var.worker_vpc_config. The writer, checker and processor stay outside by design: an idle VPC function's first invocation fails while its network interface is reclaimed, and Connect's 8-second call could not wait for it (docs/operations.md).
  #checkov:skip=CKV_AWS_272:Code signing needs a signing profile and a signing job outside this module's scope.
  #checkov:skip=CKV_AWS_50:X-Ray tracing is opt-in (var.tracing_mode) because it costs money per trace.
  #checkov:skip=CKV_AWS_115:The worker is reserved by default (functions.worker.reserved_concurrent_executions = 10); the writer, checker and processor are opt-in, since reserving takes from the account's pool.
  #checkov:skip=CKV_AWS_173:Environment variables are encrypted with var.kms_key_arn when given, else with Lambda's own key; they hold no secrets.

  function_name = each.value.name
  description   = "Asynchronous tracker ${each.key} (${local.table_name})"
  role          = aws_iam_role.this[each.key].arn
  handler       = each.value.handler
  runtime       = var.lambda_runtime
  architectures = [var.lambda_architecture]
  memory_size   = each.value.memory_size
  timeout       = each.value.timeout

  reserved_concurrent_executions = each.value.reserved_concurrent_executions

  # From the staged object when package_bucket.enabled (package_bucket.tf), else the zip.
  s3_bucket        = local.stage_package ? aws_s3_object.package[0].bucket : null
  s3_key           = local.stage_package ? aws_s3_object.package[0].key : null
  filename         = local.stage_package ? null : local.package_path
  source_code_hash = local.package_hash
  kms_key_arn      = local.kms_key_arn

  # Only the worker runs tasks: their layers and their network are the worker's alone.
  layers = each.key == "worker" && length(var.worker_layers) > 0 ? var.worker_layers : null

  dynamic "vpc_config" {
    for_each = each.key == "worker" && var.worker_vpc_config != null ? [var.worker_vpc_config] : []
    content {
      subnet_ids                  = vpc_config.value.subnet_ids
      security_group_ids          = vpc_config.value.security_group_ids
      ipv6_allowed_for_dual_stack = vpc_config.value.ipv6_allowed_for_dual_stack
    }
  }

  environment {
    variables = local.environment[each.key]
  }

  logging_config {
    log_format            = "JSON"
    log_group             = aws_cloudwatch_log_group.this[each.key].name
    application_log_level = var.logging.application_log_level
    system_log_level      = var.logging.system_log_level
  }

  dynamic "tracing_config" {
    for_each = var.tracing_mode == null ? [] : [var.tracing_mode]
    content {
      mode = tracing_config.value
    }
  }

  tags = local.tags

  # Function settings that must agree with other inputs, checked on the functions they
  # shape. (Rules between inputs alone, such as request_ttl_seconds against the deadline
  # and the flow's polling, are variable validations: variables.tf.)
  lifecycle {
    # Connect abandons a Lambda call after the block's time limit: a writer or checker
    # allowed to run longer answers a flow that has already taken its error branch.
    precondition {
      condition     = var.functions.writer.timeout <= var.contact_flow.invocation_time_limit_seconds && var.functions.checker.timeout <= var.contact_flow.invocation_time_limit_seconds
      error_message = "The functions.writer.timeout (${var.functions.writer.timeout}) and functions.checker.timeout (${var.functions.checker.timeout}) must be at most contact_flow.invocation_time_limit_seconds (${var.contact_flow.invocation_time_limit_seconds}): Connect stops waiting for the function after that limit."
    }
    # The worker keeps 12 s of its invocation back to record the outcome
    # (worker.RECORD_RESERVE_SECONDS) and may run a task until the request's deadline.
    precondition {
      condition     = var.functions.worker.timeout >= var.request_deadline_seconds + 15
      error_message = "The functions.worker.timeout (${var.functions.worker.timeout}) must be at least request_deadline_seconds (${var.request_deadline_seconds}) + 15: the worker runs a task until the request's deadline and then needs time to record its outcome."
    }
  }

  # The package is written at apply time; the log policy must exist before the first
  # invocation can log.
  depends_on = [
    terraform_data.package,
    aws_iam_role_policy.this,
    aws_iam_role_policy.worker_statements,
  ]
}

# Each request's worker invocation: retries after a failed invocation, how long Lambda keeps
# an event it could not run yet, and where it sends one it gives up on. Destinations are
# sent with the function's execution role (iam.tf). https://docs.aws.amazon.com/lambda/latest/dg/invocation-async-retain-records.html
resource "aws_lambda_function_event_invoke_config" "worker" {
  count = local.create ? 1 : 0

  function_name                = aws_lambda_function.this["worker"].function_name
  maximum_retry_attempts       = var.worker_async_invocation.maximum_retry_attempts
  maximum_event_age_in_seconds = var.worker_async_invocation.maximum_event_age_in_seconds

  destination_config {
    on_failure {
      destination = aws_sqs_queue.on_failure[0].arn
    }
  }

  lifecycle {
    # An event dropped for age while its request may still run leaves nobody to run it.
    precondition {
      condition     = var.worker_async_invocation.maximum_event_age_in_seconds >= var.request_deadline_seconds
      error_message = "The worker_async_invocation.maximum_event_age_in_seconds (${var.worker_async_invocation.maximum_event_age_in_seconds}) must be at least request_deadline_seconds (${var.request_deadline_seconds}): Lambda would drop a throttled request before its deadline."
    }
  }

  depends_on = [aws_iam_role_policy.this]
}

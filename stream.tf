resource "aws_sqs_queue" "on_failure" {
  count = local.create ? 1 : 0

  name                              = local.queue_name
  message_retention_seconds         = var.on_failure_queue.message_retention_seconds
  sqs_managed_sse_enabled           = local.kms_key_arn == null ? true : null
  kms_master_key_id                 = local.kms_key_arn
  kms_data_key_reuse_period_seconds = local.kms_key_arn == null ? null : var.on_failure_queue.kms_data_key_reuse_period_seconds

  tags = local.tags

  # The packager's interpreter check runs before anything is created (packaging.tf).
  depends_on = [terraform_data.package]
}

locals {
  # Only newly created pending requests reach the processor: its own MODIFY writes, TTL
  # deletions and the writer's ask items (inserted with each request, with no Status:
  # docs/flow-contract.md) never match (docs/architecture.md).
  stream_filter_pattern = jsonencode({
    eventName = ["INSERT"]
    dynamodb = {
      NewImage = {
        Status = { S = ["PENDING"] }
      }
    }
  })
}

resource "aws_lambda_event_source_mapping" "processor" {
  count = local.create ? 1 : 0

  event_source_arn = aws_dynamodb_table.this[0].stream_arn
  function_name    = aws_lambda_function.this["processor"].arn
  enabled          = var.stream.enabled

  # Lambda's developer guide: polling a new mapping "may take several minutes" to start, so
  # "if you specify LATEST ... the event source mapping could miss events during a create or
  # update. To ensure that no events are missed, specify either TRIM_HORIZON or AT_TIMESTAMP"
  # (the sandbox's stream missed a record written after its mapping reported Enabled, CI
  # of 2026-12-01). A re-read request that has finished is skipped by the worker's claim.
  starting_position                  = var.stream.starting_position
  batch_size                         = var.stream.batch_size
  maximum_batching_window_in_seconds = var.stream.maximum_batching_window_in_seconds
  parallelization_factor             = var.stream.parallelization_factor
  bisect_batch_on_function_error     = var.stream.bisect_batch_on_function_error
  maximum_retry_attempts             = var.stream.maximum_retry_attempts
  maximum_record_age_in_seconds      = var.stream.maximum_record_age_in_seconds
  function_response_types            = ["ReportBatchItemFailures"]

  filter_criteria {
    filter {
      pattern = local.stream_filter_pattern
    }
  }

  destination_config {
    on_failure {
      destination_arn = aws_sqs_queue.on_failure[0].arn
    }
  }

  tags = local.tags

  lifecycle {
    # A record dropped for age while its request may still run leaves nobody to run it.
    precondition {
      condition     = var.stream.maximum_record_age_in_seconds == -1 || var.stream.maximum_record_age_in_seconds >= var.request_deadline_seconds
      error_message = "The stream.maximum_record_age_in_seconds (${var.stream.maximum_record_age_in_seconds}) must be -1 or at least request_deadline_seconds (${var.request_deadline_seconds}): the mapping would drop a record before its request's deadline."
    }
  }

  # Lambda checks the role's stream and queue permissions when the mapping is created; the
  # processor must be allowed to invoke the worker before the first record arrives.
  depends_on = [aws_iam_role_policy.this, aws_iam_role_policy.invoke_worker]
}

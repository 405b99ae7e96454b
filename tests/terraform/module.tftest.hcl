# Plan-only tests of the root module's logic against a mocked AWS provider.
# Computed attributes the assertions depend on get fixed values during plan
# (override_during = plan); everything else the mock fills with random strings.

mock_provider "aws" {
  override_during = plan

  mock_resource "aws_dynamodb_table" {
    defaults = {
      arn        = "arn:aws:dynamodb:eu-west-1:111122223333:table/test-tracker"
      stream_arn = "arn:aws:dynamodb:eu-west-1:111122223333:table/test-tracker/stream/2025-01-01T00:00:00.000"
    }
  }
  mock_resource "aws_sqs_queue" {
    defaults = {
      arn = "arn:aws:sqs:eu-west-1:111122223333:test-processor-failures"
      url = "https://sqs.eu-west-1.amazonaws.com/111122223333/test-processor-failures"
    }
  }
  mock_resource "aws_iam_role" {
    defaults = {
      arn = "arn:aws:iam::111122223333:role/test-role"
    }
  }
  mock_resource "aws_s3_bucket" {
    defaults = {
      id  = "test-package-20250101000000000000000001"
      arn = "arn:aws:s3:::test-package-20250101000000000000000001"
    }
  }
}

override_resource {
  target          = aws_lambda_function.this["writer"]
  override_during = plan
  values = {
    arn = "arn:aws:lambda:eu-west-1:111122223333:function:test-writer"
  }
}

override_resource {
  target          = aws_lambda_function.this["processor"]
  override_during = plan
  values = {
    arn = "arn:aws:lambda:eu-west-1:111122223333:function:test-processor"
  }
}

override_resource {
  target          = aws_lambda_function.this["worker"]
  override_during = plan
  values = {
    arn = "arn:aws:lambda:eu-west-1:111122223333:function:test-worker"
  }
}

override_resource {
  target          = aws_lambda_function.this["checker"]
  override_during = plan
  values = {
    arn = "arn:aws:lambda:eu-west-1:111122223333:function:test-checker"
  }
}

override_resource {
  target          = aws_cloudwatch_log_group.this["writer"]
  override_during = plan
  values = {
    arn = "arn:aws:logs:eu-west-1:111122223333:log-group:/aws/lambda/test-writer"
  }
}

override_resource {
  target          = aws_cloudwatch_log_group.this["processor"]
  override_during = plan
  values = {
    arn = "arn:aws:logs:eu-west-1:111122223333:log-group:/aws/lambda/test-processor"
  }
}

override_resource {
  target          = aws_cloudwatch_log_group.this["worker"]
  override_during = plan
  values = {
    arn = "arn:aws:logs:eu-west-1:111122223333:log-group:/aws/lambda/test-worker"
  }
}

override_resource {
  target          = aws_cloudwatch_log_group.this["checker"]
  override_during = plan
  values = {
    arn = "arn:aws:logs:eu-west-1:111122223333:log-group:/aws/lambda/test-checker"
  }
}

variables {
  name = "test"
}

run "defaults" {
  command = plan

  assert {
    condition     = aws_dynamodb_table.this[0].name == "test-tracker" && aws_dynamodb_table.this[0].hash_key == "RequestId" && aws_dynamodb_table.this[0].billing_mode == "PAY_PER_REQUEST"
    error_message = "The tracker table must be test-tracker, keyed by RequestId, on demand."
  }
  assert {
    condition     = aws_dynamodb_table.this[0].stream_enabled && aws_dynamodb_table.this[0].stream_view_type == "NEW_IMAGE"
    error_message = "The tracker table's stream must be on with NEW_IMAGE."
  }
  assert {
    condition     = aws_dynamodb_table.this[0].ttl[0].attribute_name == "ExpiresAt" && aws_dynamodb_table.this[0].ttl[0].enabled
    error_message = "TTL must be on attribute ExpiresAt."
  }
  assert {
    condition     = aws_dynamodb_table.this[0].server_side_encryption[0].enabled && aws_dynamodb_table.this[0].point_in_time_recovery[0].enabled && !aws_dynamodb_table.this[0].deletion_protection_enabled
    error_message = "SSE and PITR must be on and deletion protection off by default."
  }
  assert {
    condition = jsondecode(one(aws_lambda_event_source_mapping.processor[0].filter_criteria[0].filter).pattern) == {
      eventName = ["INSERT"]
      dynamodb  = { NewImage = { Status = { S = ["PENDING"] } } }
    }
    error_message = "The stream filter must admit only INSERTs of PENDING requests, never the Status-less ask items (docs/architecture.md, docs/flow-contract.md)."
  }
  assert {
    condition     = length(aws_lambda_event_source_mapping.processor[0].filter_criteria[0].filter) == 1
    error_message = "The event source mapping must carry exactly one filter."
  }
  assert {
    condition     = aws_lambda_event_source_mapping.processor[0].event_source_arn == "arn:aws:dynamodb:eu-west-1:111122223333:table/test-tracker/stream/2025-01-01T00:00:00.000"
    error_message = "The event source mapping must read the tracker table's stream."
  }
  assert {
    condition     = aws_lambda_event_source_mapping.processor[0].function_name == "arn:aws:lambda:eu-west-1:111122223333:function:test-processor"
    error_message = "The event source mapping must trigger the processor."
  }
  assert {
    condition     = aws_lambda_event_source_mapping.processor[0].starting_position == "TRIM_HORIZON" && aws_lambda_event_source_mapping.processor[0].function_response_types == toset(["ReportBatchItemFailures"])
    error_message = "By default the mapping must start at TRIM_HORIZON (a new mapping misses nothing) and report batch item failures."
  }
  assert {
    condition     = aws_lambda_event_source_mapping.processor[0].batch_size == 100 && aws_lambda_event_source_mapping.processor[0].bisect_batch_on_function_error && aws_lambda_event_source_mapping.processor[0].maximum_retry_attempts == 2 && aws_lambda_event_source_mapping.processor[0].maximum_record_age_in_seconds == 3600 && aws_lambda_event_source_mapping.processor[0].parallelization_factor == 1 && aws_lambda_event_source_mapping.processor[0].maximum_batching_window_in_seconds == 0
    error_message = "The mapping's batching and retry defaults are wrong."
  }
  assert {
    condition     = aws_lambda_event_source_mapping.processor[0].destination_config[0].on_failure[0].destination_arn == "arn:aws:sqs:eu-west-1:111122223333:test-processor-failures"
    error_message = "Failed batches must go to the module's on-failure queue."
  }
  assert {
    condition     = aws_sqs_queue.on_failure[0].sqs_managed_sse_enabled && aws_sqs_queue.on_failure[0].kms_master_key_id == null && aws_sqs_queue.on_failure[0].message_retention_seconds == 1209600
    error_message = "Without a KMS key the queue must use SSE-SQS and keep messages 14 days."
  }
  assert {
    condition     = { for key, function in aws_lambda_function.this : key => function.handler } == { writer = "connect_tracker.handlers.writer.handler", processor = "connect_tracker.handlers.processor.handler", worker = "connect_tracker.handlers.worker.handler", checker = "connect_tracker.handlers.checker.handler" }
    error_message = "Handlers must be the ones of docs/architecture.md."
  }
  assert {
    condition     = alltrue([for function in aws_lambda_function.this : function.runtime == "python3.13" && function.architectures == tolist(["x86_64"]) && length(function.tracing_config) == 0 && function.kms_key_arn == null])
    error_message = "Functions must default to python3.13 on x86_64, without tracing or a KMS key."
  }
  assert {
    condition     = [for key in ["writer", "processor", "worker", "checker"] : aws_lambda_function.this[key].timeout] == [7, 60, 300, 7]
    error_message = "Timeouts must default to 5 s (writer), 60 s (processor: it only dispatches), 300 s (worker) and 7 s (checker: its 3 s wait, a read and a margin)."
  }
  assert {
    condition     = alltrue([for key, function in aws_lambda_function.this : function.logging_config[0].log_format == "JSON" && function.logging_config[0].application_log_level == "INFO" && function.logging_config[0].system_log_level == "WARN" && function.logging_config[0].log_group == "/aws/lambda/test-${key}"])
    error_message = "Functions must log JSON at INFO/WARN into their own log group."
  }
  assert {
    condition     = keys(aws_cloudwatch_log_group.this) == ["checker", "processor", "worker", "writer"] && alltrue([for key, group in aws_cloudwatch_log_group.this : group.name == "/aws/lambda/test-${key}" && group.retention_in_days == 30 && group.kms_key_id == null])
    error_message = "Each function must get /aws/lambda/<name> with 30 days retention."
  }
  assert {
    condition = aws_lambda_function.this["writer"].environment[0].variables == tomap({
      TRACKER_TABLE_NAME               = "test-tracker"
      TRACKER_SENSITIVE_PARAMETERS     = ""
      TRACKER_LOG_PARAMETERS_IN_CLEAR  = ""
      TRACKER_REQUEST_DEADLINE_SECONDS = "120"
      TRACKER_REQUEST_TTL_SECONDS      = "86400"
      TRACKER_DEFAULT_TASK             = ""
    })
    error_message = "The writer's environment is wrong."
  }
  assert {
    condition     = aws_lambda_function.this["processor"].environment[0].variables == tomap({ TRACKER_TABLE_NAME = "test-tracker", TRACKER_SENSITIVE_PARAMETERS = "", TRACKER_WORKER_FUNCTION = "test-worker" })
    error_message = "The processor's environment is wrong."
  }
  assert {
    condition     = aws_lambda_function.this["worker"].environment[0].variables == tomap({ TRACKER_TABLE_NAME = "test-tracker", TRACKER_SENSITIVE_PARAMETERS = "", TRACKER_TASK_MODULES = "", TRACKER_WORKER_FUNCTION = "test-worker" })
    error_message = "The worker's environment is wrong (by default no task module, so no demo task, is registered)."
  }
  assert {
    condition     = aws_lambda_function_event_invoke_config.worker[0].function_name == "test-worker" && aws_lambda_function_event_invoke_config.worker[0].maximum_retry_attempts == 2 && aws_lambda_function_event_invoke_config.worker[0].maximum_event_age_in_seconds == 3600 && aws_lambda_function_event_invoke_config.worker[0].destination_config[0].on_failure[0].destination == "arn:aws:sqs:eu-west-1:111122223333:test-processor-failures"
    error_message = "The worker's asynchronous invocations must retry twice, keep events an hour and send the ones Lambda gives up on to the on-failure queue."
  }
  assert {
    condition     = output.worker_function_name == "test-worker" && output.worker_function_arn == "arn:aws:lambda:eu-west-1:111122223333:function:test-worker" && output.log_group_names.worker == "/aws/lambda/test-worker"
    error_message = "Outputs must expose the worker."
  }
  assert {
    condition     = aws_lambda_function.this["checker"].environment[0].variables == tomap({ TRACKER_TABLE_NAME = "test-tracker", TRACKER_SENSITIVE_PARAMETERS = "", TRACKER_CONSISTENT_READ = "true", TRACKER_CHECKER_WAIT_SECONDS = "3" })
    error_message = "The checker's environment is wrong (it waits 3 s by default)."
  }
  assert {
    condition     = module.contact_flow[0].checker_wait_seconds == 3
    error_message = "The flow sub-module must get the checker's wait (3 s by default) for its pacing."
  }
  assert {
    condition     = length(terraform_data.package) == 1 && startswith(output.lambda_package_path, "./builds/test-") && endswith(output.lambda_package_path, ".zip") && aws_s3_object.package[0].source == output.lambda_package_path
    error_message = "Without lambda_package_path the package must be built into ./builds and uploaded from there."
  }
  # Staged in S3 by default: every function comes from the one object, none reads a file.
  assert {
    condition     = alltrue([for function in aws_lambda_function.this : function.filename == null && function.s3_bucket == "test-package-20250101000000000000000001" && function.s3_key == output.package_object_key])
    error_message = "By default every function must be created from the staged S3 object, not from the local zip."
  }
  assert {
    condition     = output.package_object_key == "test/${substr(sha256(output.lambda_source_hash), 0, 16)}.zip" && output.package_bucket_name == "test-package-20250101000000000000000001" && aws_s3_bucket.package[0].bucket_prefix == "test-package-" && aws_s3_bucket.package[0].force_destroy
    error_message = "The package must be staged as <name>/<hash>.zip in a bucket the module creates with its name as prefix."
  }
  assert {
    condition = alltrue([
      aws_s3_bucket_public_access_block.package[0].block_public_acls,
      aws_s3_bucket_public_access_block.package[0].block_public_policy,
      aws_s3_bucket_public_access_block.package[0].ignore_public_acls,
      aws_s3_bucket_public_access_block.package[0].restrict_public_buckets,
      one(aws_s3_bucket_ownership_controls.package[0].rule).object_ownership == "BucketOwnerEnforced",
      one(aws_s3_bucket_versioning.package[0].versioning_configuration).status == "Enabled",
      one(one(aws_s3_bucket_server_side_encryption_configuration.package[0].rule).apply_server_side_encryption_by_default).sse_algorithm == "AES256",
      jsondecode(aws_s3_bucket_policy.package[0].policy).Statement[0].Effect == "Deny",
      jsondecode(aws_s3_bucket_policy.package[0].policy).Statement[0].Condition.Bool["aws:SecureTransport"] == "false",
    ])
    error_message = "The package bucket must be private, owner-enforced, versioned, encrypted and TLS only."
  }
  assert {
    condition     = length(distinct([for function in aws_lambda_function.this : function.source_code_hash])) == 1 && aws_lambda_function.this["writer"].source_code_hash == output.lambda_source_hash && length(output.lambda_source_hash) == 44
    error_message = "All functions must share one plan-time source hash (base64 SHA-256)."
  }
  assert {
    condition     = output.tracker_table_name == "test-tracker" && output.writer_function_arn == "arn:aws:lambda:eu-west-1:111122223333:function:test-writer" && output.on_failure_queue_url == "https://sqs.eu-west-1.amazonaws.com/111122223333/test-processor-failures"
    error_message = "Outputs must expose the table, the functions and the queue."
  }
}

run "iam_least_privilege" {
  command = plan

  assert {
    condition = jsondecode(aws_iam_role_policy.this["writer"].policy).Statement == [
      { Sid = "TrackerTable", Effect = "Allow", Action = ["dynamodb:GetItem", "dynamodb:PutItem"], Resource = "arn:aws:dynamodb:eu-west-1:111122223333:table/test-tracker" },
      { Sid = "OwnLogGroup", Effect = "Allow", Action = ["logs:CreateLogStream", "logs:PutLogEvents"], Resource = "arn:aws:logs:eu-west-1:111122223333:log-group:/aws/lambda/test-writer:*" },
    ]
    error_message = "The writer may only put/get items of the table and write its own logs."
  }
  assert {
    condition = jsondecode(aws_iam_role_policy.this["checker"].policy).Statement == [
      { Sid = "TrackerTable", Effect = "Allow", Action = ["dynamodb:GetItem", "dynamodb:UpdateItem"], Resource = "arn:aws:dynamodb:eu-west-1:111122223333:table/test-tracker" },
      { Sid = "OwnLogGroup", Effect = "Allow", Action = ["logs:CreateLogStream", "logs:PutLogEvents"], Resource = "arn:aws:logs:eu-west-1:111122223333:log-group:/aws/lambda/test-checker:*" },
    ]
    error_message = "The checker may only get/update items of the table and write its own logs."
  }
  assert {
    condition = jsondecode(aws_iam_role_policy.this["processor"].policy).Statement == [
      { Sid = "OwnLogGroup", Effect = "Allow", Action = ["logs:CreateLogStream", "logs:PutLogEvents"], Resource = "arn:aws:logs:eu-west-1:111122223333:log-group:/aws/lambda/test-processor:*" },
      { Sid = "TrackerStreamRead", Effect = "Allow", Action = ["dynamodb:DescribeStream", "dynamodb:GetRecords", "dynamodb:GetShardIterator"], Resource = "arn:aws:dynamodb:eu-west-1:111122223333:table/test-tracker/stream/2025-01-01T00:00:00.000" },
      { Sid = "TrackerStreamList", Effect = "Allow", Action = ["dynamodb:ListStreams"], Resource = "*" },
      { Sid = "OnFailureQueueSend", Effect = "Allow", Action = ["sqs:SendMessage"], Resource = "arn:aws:sqs:eu-west-1:111122223333:test-processor-failures" },
    ]
    error_message = "The processor may only read the table's stream, send to the on-failure queue and write its own logs (no table access)."
  }
  assert {
    condition = jsondecode(aws_iam_role_policy.this["worker"].policy).Statement == [
      { Sid = "TrackerTable", Effect = "Allow", Action = ["dynamodb:GetItem", "dynamodb:UpdateItem"], Resource = "arn:aws:dynamodb:eu-west-1:111122223333:table/test-tracker" },
      { Sid = "OwnLogGroup", Effect = "Allow", Action = ["logs:CreateLogStream", "logs:PutLogEvents"], Resource = "arn:aws:logs:eu-west-1:111122223333:log-group:/aws/lambda/test-worker:*" },
      { Sid = "OnFailureQueueSend", Effect = "Allow", Action = ["sqs:SendMessage"], Resource = "arn:aws:sqs:eu-west-1:111122223333:test-processor-failures" },
    ]
    error_message = "The worker may only get/update items of the table, send to the on-failure queue (its async destination) and write its own logs."
  }
  assert {
    condition = { for key, policy in aws_iam_role_policy.invoke_worker : key => jsondecode(policy.policy).Statement } == {
      processor = [{ Sid = "InvokeWorker", Effect = "Allow", Action = ["lambda:InvokeFunction"], Resource = "arn:aws:lambda:eu-west-1:111122223333:function:test-worker" }]
      worker    = [{ Sid = "InvokeWorker", Effect = "Allow", Action = ["lambda:InvokeFunction"], Resource = "arn:aws:lambda:eu-west-1:111122223333:function:test-worker" }]
    } && aws_iam_role_policy.invoke_worker["processor"].role == aws_iam_role.this["processor"].id
    error_message = "Only the processor (dispatch) and the worker (hand-over) may invoke, and only the worker."
  }
  assert {
    condition     = alltrue([for role in aws_iam_role.this : jsondecode(role.assume_role_policy).Statement[0].Principal == { Service = "lambda.amazonaws.com" } && role.permissions_boundary == null && role.path == null])
    error_message = "Each role must be assumable by Lambda only, at the default path without a boundary by default."
  }
  assert {
    condition     = { for key, role in aws_iam_role.this : key => role.name } == { writer = "test-writer", processor = "test-processor", worker = "test-worker", checker = "test-checker" }
    error_message = "There must be one role per function."
  }
}

run "kms_tracing_and_tuning" {
  command = plan

  variables {
    kms_key_arn               = "arn:aws:kms:eu-west-1:111122223333:key/00000000-0000-4000-8000-000000000000"
    tracing_mode              = "Active"
    role_path                 = "/tracker/"
    role_permissions_boundary = "arn:aws:iam::111122223333:policy/boundary"
    lambda_runtime            = "python3.12"
    lambda_architecture       = "arm64"
    table = {
      billing_mode           = "PROVISIONED"
      read_capacity          = 3
      write_capacity         = 4
      point_in_time_recovery = false
      deletion_protection    = true
    }
    functions = {
      processor = { timeout = 900, memory_size = 1024, reserved_concurrent_executions = 5 }
      worker    = { timeout = 600, memory_size = 512, reserved_concurrent_executions = 20 }
    }
    worker_async_invocation  = { maximum_retry_attempts = 0, maximum_event_age_in_seconds = 300 }
    logging                  = { application_log_level = "DEBUG", system_log_level = "INFO", retention_in_days = 7 }
    stream                   = { batch_size = 5, maximum_batching_window_in_seconds = 2, parallelization_factor = 3, bisect_batch_on_function_error = false, maximum_retry_attempts = -1, maximum_record_age_in_seconds = -1, starting_position = "LATEST" }
    on_failure_queue         = { message_retention_seconds = 86400, kms_data_key_reuse_period_seconds = 600 }
    sensitive_parameters     = ["AccountNumber", "Pin"]
    log_parameters_in_clear  = ["TaskName", "DelaySeconds"]
    enable_demo_tasks        = true
    default_task             = "simulated_backend"
    consistent_read          = false
    task_environment         = { API_URL = "https://example.invalid" }
    request_deadline_seconds = 300
    request_ttl_seconds      = 3600
  }

  assert {
    condition     = aws_dynamodb_table.this[0].server_side_encryption[0].kms_key_arn == var.kms_key_arn && aws_dynamodb_table.this[0].billing_mode == "PROVISIONED" && aws_dynamodb_table.this[0].read_capacity == 3 && aws_dynamodb_table.this[0].write_capacity == 4 && !aws_dynamodb_table.this[0].point_in_time_recovery[0].enabled && aws_dynamodb_table.this[0].deletion_protection_enabled
    error_message = "The table must use the key, provisioned capacity, no PITR and deletion protection."
  }
  assert {
    condition     = one(one(aws_s3_bucket_server_side_encryption_configuration.package[0].rule).apply_server_side_encryption_by_default).sse_algorithm == "aws:kms" && one(one(aws_s3_bucket_server_side_encryption_configuration.package[0].rule).apply_server_side_encryption_by_default).kms_master_key_id == var.kms_key_arn && one(aws_s3_bucket_server_side_encryption_configuration.package[0].rule).bucket_key_enabled
    error_message = "With kms_key_arn the package bucket must be encrypted with that key."
  }
  assert {
    condition     = aws_sqs_queue.on_failure[0].kms_master_key_id == var.kms_key_arn && aws_sqs_queue.on_failure[0].sqs_managed_sse_enabled != true && aws_sqs_queue.on_failure[0].kms_data_key_reuse_period_seconds == 600 && aws_sqs_queue.on_failure[0].message_retention_seconds == 86400
    error_message = "The queue must be encrypted with the key instead of SSE-SQS."
  }
  assert {
    condition     = alltrue([for group in aws_cloudwatch_log_group.this : group.kms_key_id == var.kms_key_arn && group.retention_in_days == 7])
    error_message = "Log groups must be encrypted with the key and keep 7 days."
  }
  assert {
    condition     = alltrue([for function in aws_lambda_function.this : function.kms_key_arn == var.kms_key_arn])
    error_message = "Functions must encrypt their environment with the key."
  }
  assert {
    condition     = alltrue([for function in aws_lambda_function.this : function.tracing_config[0].mode == "Active"])
    error_message = "Functions must trace actively."
  }
  assert {
    condition     = alltrue([for function in aws_lambda_function.this : function.runtime == "python3.12" && function.architectures == tolist(["arm64"])])
    error_message = "Functions must run python3.12 on arm64."
  }
  assert {
    condition     = alltrue([for function in aws_lambda_function.this : function.logging_config[0].application_log_level == "DEBUG" && function.logging_config[0].system_log_level == "INFO"])
    error_message = "Functions must log at the given levels."
  }
  assert {
    condition     = aws_lambda_function.this["processor"].timeout == 900 && aws_lambda_function.this["processor"].memory_size == 1024 && aws_lambda_function.this["processor"].reserved_concurrent_executions == 5 && aws_lambda_function.this["worker"].timeout == 600 && aws_lambda_function.this["worker"].memory_size == 512 && aws_lambda_function.this["worker"].reserved_concurrent_executions == 20 && aws_lambda_function.this["writer"].reserved_concurrent_executions == null && aws_lambda_function.this["writer"].timeout == 7
    error_message = "Per-function settings must apply to their function only."
  }
  assert {
    condition     = aws_lambda_function_event_invoke_config.worker[0].maximum_retry_attempts == 0 && aws_lambda_function_event_invoke_config.worker[0].maximum_event_age_in_seconds == 300
    error_message = "worker_async_invocation must reach the worker's event-invoke configuration."
  }
  assert {
    condition = alltrue([for key, policy in aws_iam_role_policy.this : contains(jsondecode(policy.policy).Statement, { Sid = "TrackerKmsKey", Effect = "Allow", Action = ["kms:Decrypt", "kms:GenerateDataKey"], Resource = var.kms_key_arn })
    && contains(jsondecode(policy.policy).Statement, { Sid = "XRayTracing", Effect = "Allow", Action = ["xray:PutTelemetryRecords", "xray:PutTraceSegments"], Resource = "*" })])
    error_message = "With a key and tracing, every role gets KMS on that key only and X-Ray."
  }
  assert {
    condition     = alltrue([for role in aws_iam_role.this : role.path == "/tracker/" && role.permissions_boundary == "arn:aws:iam::111122223333:policy/boundary"])
    error_message = "Roles must get the path and the permissions boundary."
  }
  assert {
    condition     = aws_lambda_event_source_mapping.processor[0].batch_size == 5 && aws_lambda_event_source_mapping.processor[0].maximum_batching_window_in_seconds == 2 && aws_lambda_event_source_mapping.processor[0].parallelization_factor == 3 && !aws_lambda_event_source_mapping.processor[0].bisect_batch_on_function_error && aws_lambda_event_source_mapping.processor[0].maximum_retry_attempts == -1 && aws_lambda_event_source_mapping.processor[0].maximum_record_age_in_seconds == -1 && aws_lambda_event_source_mapping.processor[0].starting_position == "LATEST"
    error_message = "Stream settings must reach the event source mapping."
  }
  assert {
    condition     = aws_lambda_function.this["writer"].environment[0].variables.TRACKER_SENSITIVE_PARAMETERS == "AccountNumber,Pin" && aws_lambda_function.this["writer"].environment[0].variables.TRACKER_DEFAULT_TASK == "simulated_backend" && aws_lambda_function.this["writer"].environment[0].variables.TRACKER_REQUEST_DEADLINE_SECONDS == "300" && aws_lambda_function.this["writer"].environment[0].variables.TRACKER_REQUEST_TTL_SECONDS == "3600"
    error_message = "The writer's environment must carry the request settings."
  }
  assert {
    condition     = aws_lambda_function.this["worker"].environment[0].variables.TRACKER_TASK_ENV_API_URL == "https://example.invalid" && aws_lambda_function.this["checker"].environment[0].variables.TRACKER_CONSISTENT_READ == "false" && !contains(keys(aws_lambda_function.this["writer"].environment[0].variables), "TRACKER_TASK_ENV_API_URL") && !contains(keys(aws_lambda_function.this["processor"].environment[0].variables), "TRACKER_TASK_ENV_API_URL")
    error_message = "Task settings go to the worker only; consistent_read to the checker."
  }
  assert {
    condition     = aws_lambda_function.this["writer"].environment[0].variables.TRACKER_LOG_PARAMETERS_IN_CLEAR == "TaskName,DelaySeconds" && aws_lambda_function.this["worker"].environment[0].variables.TRACKER_TASK_MODULES == "connect_tracker.tasks.builtin"
    error_message = "The clear-text allow-list goes to the writer; enable_demo_tasks lists the demo tasks' module for the processor."
  }
}

run "checker_wait_reaches_the_checker_and_the_flow" {
  command = plan

  variables {
    checker_wait_seconds = 4
    functions            = { checker = { timeout = 8 } }
  }

  assert {
    condition     = aws_lambda_function.this["checker"].environment[0].variables.TRACKER_CHECKER_WAIT_SECONDS == "4" && aws_lambda_function.this["checker"].timeout == 8
    error_message = "checker_wait_seconds must reach the checker as TRACKER_CHECKER_WAIT_SECONDS."
  }
  assert {
    condition     = module.contact_flow[0].checker_wait_seconds == 4
    error_message = "checker_wait_seconds must reach the flow sub-module."
  }
  assert {
    condition     = alltrue([for key in ["writer", "processor", "worker"] : !contains(keys(aws_lambda_function.this[key].environment[0].variables), "TRACKER_CHECKER_WAIT_SECONDS")])
    error_message = "Only the checker waits."
  }
}

run "checker_without_a_wait_fits_any_timeout" {
  command = plan

  variables {
    checker_wait_seconds = 0
    functions            = { checker = { timeout = 2 } }
  }

  assert {
    condition     = aws_lambda_function.this["checker"].environment[0].variables.TRACKER_CHECKER_WAIT_SECONDS == "0" && aws_lambda_function.this["checker"].timeout == 2 && module.contact_flow[0].checker_wait_seconds == 0
    error_message = "A checker that does not wait (0) keeps any timeout from 1 s."
  }
}

run "task_source_dir" {
  command = plan

  variables {
    task_source_dir = "tests/terraform/fixtures/sample_tasks"
  }

  assert {
    condition     = aws_lambda_function.this["worker"].environment[0].variables.TRACKER_TASK_MODULES == "sample_tasks"
    error_message = "Without task_modules, the task package itself is imported."
  }
  assert {
    condition     = terraform_data.package[0].triggers_replace.output == aws_s3_object.package[0].source
    error_message = "The build step must write the file that is uploaded."
  }
  assert {
    condition     = output.lambda_source_hash != run.defaults.lambda_source_hash
    error_message = "Adding task code must change the source hash."
  }
}

run "crlf_checkout_hashes_like_lf" {
  command = plan

  # The same task files with CRLF line endings (a Windows checkout with core.autocrlf).
  variables {
    task_source_dir   = "tests/terraform/fixtures/sample_tasks_crlf"
    task_package_name = "sample_tasks"
  }

  assert {
    condition     = output.lambda_source_hash == run.task_source_dir.lambda_source_hash && output.lambda_package_path == run.task_source_dir.lambda_package_path && output.package_object_key == run.task_source_dir.package_object_key
    error_message = "CRLF and LF checkouts of the same sources must give the same hash and package path."
  }
}

run "package_rebuilt_when_the_provider_reads_it" {
  command = plan

  variables {
    lambda_architecture = "arm64"
  }

  # Staged: only the object's upload reads the zip, and the object's key holds the hash,
  # so the hash and where the object goes are the triggers; a new architecture or a
  # recreated function reads the object, not the file, and builds nothing.
  assert {
    condition     = sort(keys(terraform_data.package[0].triggers_replace)) == tolist(["output", "source_hash", "upload"]) && terraform_data.package[0].triggers_replace.source_hash == output.lambda_source_hash && terraform_data.package[0].triggers_replace.output == output.lambda_package_path && terraform_data.package[0].triggers_replace.upload == "created:-/${output.package_object_key}"
    error_message = "Staged in S3, the package's triggers must be the hash, the path and the upload's bucket and key, and nothing the functions alone change."
  }
  assert {
    condition     = run.defaults.lambda_source_hash == output.lambda_source_hash && aws_lambda_function.this["writer"].architectures == tolist(["arm64"]) && aws_lambda_function.this["writer"].s3_key == run.defaults.package_object_key
    error_message = "The architecture must not change the source hash or the staged object."
  }
}

run "package_uploaded_with_each_function" {
  command = plan

  variables {
    lambda_architecture = "arm64"
    package_bucket      = { enabled = false }
  }

  # Without the bucket the aws provider reads the zip on create and when filename,
  # source_code_hash or architectures change: each is a trigger, so a fresh checkout
  # builds it first.
  assert {
    condition     = terraform_data.package[0].triggers_replace.architecture == "arm64" && terraform_data.package[0].triggers_replace.functions == "checker,processor,worker,writer" && terraform_data.package[0].triggers_replace.source_hash == aws_lambda_function.this["writer"].source_code_hash && terraform_data.package[0].triggers_replace.output == aws_lambda_function.this["writer"].filename
    error_message = "Uploaded with each function, the package's triggers must cover the architecture, the set of functions, the hash and the path."
  }
  assert {
    condition     = alltrue([for function in aws_lambda_function.this : function.filename == output.lambda_package_path && function.s3_bucket == null && function.s3_key == null])
    error_message = "With package_bucket.enabled = false every function must be created from the local zip."
  }
  assert {
    condition     = length(aws_s3_bucket.package) == 0 && length(aws_s3_object.package) == 0 && output.package_bucket_name == null && output.package_object_key == null
    error_message = "With package_bucket.enabled = false there must be no bucket and no object."
  }
}

run "package_staged_in_an_existing_bucket" {
  command = plan

  variables {
    package_bucket = {
      create      = false
      bucket_name = "shared-lambda-artifacts"
      key_prefix  = "connect/"
    }
  }

  assert {
    condition     = length(aws_s3_bucket.package) == 0 && length(aws_s3_bucket_policy.package) == 0 && length(aws_s3_bucket_versioning.package) == 0 && length(aws_s3_bucket_public_access_block.package) == 0
    error_message = "An existing bucket must not be created or reconfigured."
  }
  assert {
    condition     = aws_s3_object.package[0].bucket == "shared-lambda-artifacts" && aws_s3_object.package[0].key == "connect/test/${substr(sha256(output.lambda_source_hash), 0, 16)}.zip" && aws_lambda_function.this["worker"].s3_bucket == "shared-lambda-artifacts" && aws_lambda_function.this["worker"].s3_key == aws_s3_object.package[0].key
    error_message = "The package must be staged under the key prefix in the given bucket, and the functions created from it."
  }
  assert {
    condition     = terraform_data.package[0].triggers_replace.upload == "existing:shared-lambda-artifacts/${aws_s3_object.package[0].key}"
    error_message = "Another bucket or key prefix is a new object: the build must re-run for it."
  }
}

run "task_modules_and_package_name" {
  command = plan

  variables {
    task_source_dir   = "tests/terraform/fixtures/sample_tasks"
    task_package_name = "billing"
    task_modules      = ["billing.lookup", "shared_tasks"]
  }

  assert {
    condition     = aws_lambda_function.this["worker"].environment[0].variables.TRACKER_TASK_MODULES == "billing.lookup,shared_tasks"
    error_message = "task_modules must be passed as given, comma-separated."
  }
  assert {
    condition     = output.lambda_source_hash != run.task_source_dir.lambda_source_hash
    error_message = "The task package name is part of the package and of its hash."
  }
}

run "prebuilt_package" {
  command = plan

  variables {
    lambda_package_path = "builds/tftest/prebuilt.zip"
  }

  assert {
    condition     = length(terraform_data.package) == 0
    error_message = "A prebuilt package needs no build step."
  }
  assert {
    condition     = aws_s3_object.package[0].source == "builds/tftest/prebuilt.zip" && alltrue([for function in aws_lambda_function.this : function.s3_key == output.package_object_key && function.source_code_hash == filebase64sha256("builds/tftest/prebuilt.zip")]) && output.package_object_key == "test/${substr(sha256(filebase64sha256("builds/tftest/prebuilt.zip")), 0, 16)}.zip"
    error_message = "Functions must use the prebuilt package, staged under its own hash."
  }
}

run "no_connect_instance" {
  command = plan

  assert {
    condition     = length(aws_lambda_permission.connect) == 0 && length(aws_connect_lambda_function_association.this) == 0 && length(aws_connect_contact_flow.this) == 0
    error_message = "Without connect_instance_arn there must be no Connect resource."
  }
  assert {
    condition     = output.contact_flow_id == null && output.contact_flow_arn == null && jsondecode(output.contact_flow_content).Version == "2019-10-30"
    error_message = "Without an instance the flow is still rendered, but not published."
  }
}

run "connect_instance" {
  command = plan

  variables {
    connect_instance_arn = "arn:aws:connect:eu-west-1:111122223333:instance/aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee"
    contact_flow = {
      task_name       = "simulated_backend"
      task_parameters = { AccountId = "$.Attributes.AccountId", Caller = "$.CustomerEndpoint.Address" }
      result_fields   = ["Balance"]
    }
  }

  assert {
    condition     = keys(aws_lambda_permission.connect) == ["checker", "writer"] && alltrue([for permission in aws_lambda_permission.connect : permission.principal == "connect.amazonaws.com" && permission.action == "lambda:InvokeFunction" && permission.source_arn == "arn:aws:connect:eu-west-1:111122223333:instance/aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee"])
    error_message = "Writer and checker (only) must be invocable by this Connect instance only."
  }
  assert {
    condition     = { for key, association in aws_connect_lambda_function_association.this : key => [association.instance_id, association.function_arn] } == { writer = ["aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee", "arn:aws:lambda:eu-west-1:111122223333:function:test-writer"], checker = ["aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee", "arn:aws:lambda:eu-west-1:111122223333:function:test-checker"] }
    error_message = "Writer and checker must be associated with the instance (ID taken from the ARN)."
  }
  assert {
    condition     = aws_connect_contact_flow.this[0].instance_id == "aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee" && aws_connect_contact_flow.this[0].type == "CONTACT_FLOW" && aws_connect_contact_flow.this[0].name == "test-async-tracker"
    error_message = "The flow must be a CONTACT_FLOW named test-async-tracker on the instance."
  }
  assert {
    condition     = aws_connect_contact_flow.this[0].content == output.contact_flow_content
    error_message = "The published flow must be the rendered one."
  }
  assert {
    condition = [for action in jsondecode(output.contact_flow_content).Actions : action.Parameters.LambdaFunctionARN if action.Type == "InvokeLambdaFunction"] == [
      "arn:aws:lambda:eu-west-1:111122223333:function:test-writer",
      "arn:aws:lambda:eu-west-1:111122223333:function:test-writer",
      "arn:aws:lambda:eu-west-1:111122223333:function:test-checker",
    ]
    error_message = "The flow must invoke the module's writer (again once on an error), then its checker."
  }
  assert {
    condition     = [for action in jsondecode(output.contact_flow_content).Actions : action.Parameters.LambdaInvocationAttributes if action.Identifier == "invoke-writer"][0] == { AccountId = "$.Attributes.AccountId", Caller = "$.CustomerEndpoint.Address", TaskName = "simulated_backend" }
    error_message = "The writer must receive the task name and parameters."
  }
}

run "partial_prompts_take_the_flow_defaults" {
  command = plan

  variables {
    contact_flow = { prompts = { greeting = "Hello from the bank." } }
  }

  assert {
    condition = { for action in jsondecode(output.contact_flow_content).Actions : action.Identifier => try(action.Parameters.Text, action.Parameters.SSML) if action.Type == "MessageParticipant" } == {
      greet            = "Hello from the bank."
      hold             = "<speak><break time=\"500ms\"/></speak>"
      failed-poll-hold = "<speak><break time=\"3000ms\"/></speak>"
      reassure         = "Still working on it, thank you for holding."
      task-pace        = "Still working on it, thank you for holding."
      thank-caller     = "Thank you for waiting."
      apologize        = "Sorry, we could not complete your request right now. Please try again later."
    }
    error_message = "Prompts left unset must take modules/contact-flow's defaults; the one given must be used."
  }
}

run "connect_switched_off_explicitly" {
  command = plan

  variables {
    connect_instance_arn     = "arn:aws:connect:eu-west-1:111122223333:instance/aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee"
    create_connect_resources = false
  }

  assert {
    condition     = length(aws_lambda_permission.connect) == 0 && length(aws_connect_lambda_function_association.this) == 0 && length(aws_connect_contact_flow.this) == 0
    error_message = "create_connect_resources = false must create no Connect resource, even with an instance ARN."
  }
}

run "create_false" {
  command = plan

  variables {
    create               = false
    connect_instance_arn = "arn:aws:connect:eu-west-1:111122223333:instance/aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee"
  }

  assert {
    condition = alltrue([
      length(aws_dynamodb_table.this) == 0,
      length(aws_lambda_function.this) == 0,
      length(aws_cloudwatch_log_group.this) == 0,
      length(aws_iam_role.this) == 0,
      length(aws_iam_role_policy.this) == 0,
      length(aws_iam_role_policy.invoke_worker) == 0,
      length(aws_lambda_function_event_invoke_config.worker) == 0,
      length(aws_sqs_queue.on_failure) == 0,
      length(aws_lambda_event_source_mapping.processor) == 0,
      length(aws_lambda_permission.connect) == 0,
      length(aws_connect_lambda_function_association.this) == 0,
      length(aws_connect_contact_flow.this) == 0,
      length(terraform_data.package) == 0,
      length(aws_s3_bucket.package) == 0,
      length(aws_s3_object.package) == 0,
      length(module.contact_flow) == 0,
    ])
    error_message = "With create = false the module must create nothing."
  }
  assert {
    condition     = output.tracker_table_name == null && output.writer_function_arn == null && output.contact_flow_content == null && output.lambda_package_path == null && output.package_bucket_name == null && output.package_object_key == null && output.log_group_names == null
    error_message = "With create = false every output must be null."
  }
}

# Every input check rejects a bad value (and names the variable in its message).
# Plan-only with a mocked provider: nothing is created or called.

mock_provider "aws" {}

variables {
  name = "test"
}

run "good_values_pass" {
  command = plan
}

run "name_too_long" {
  command = plan

  variables {
    name = "a-name-that-is-far-too-long-for-the-prefix-limit"
  }

  expect_failures = [var.name]
}

run "name_bad_start" {
  command = plan

  variables {
    name = "1tracker"
  }

  expect_failures = [var.name]
}

run "tags_aws_prefix" {
  command = plan

  variables {
    tags = { "aws:owner" = "x" }
  }

  expect_failures = [var.tags]
}

run "kms_alias_not_arn" {
  command = plan

  variables {
    kms_key_arn = "alias/tracker"
  }

  expect_failures = [var.kms_key_arn]
}

run "table_billing_mode" {
  command = plan

  variables {
    table = { billing_mode = "ON_DEMAND" }
  }

  expect_failures = [var.table]
}

run "table_capacity" {
  command = plan

  variables {
    table = { billing_mode = "PROVISIONED", read_capacity = 0 }
  }

  expect_failures = [var.table]
}

run "table_class" {
  command = plan

  variables {
    table = { table_class = "GLACIER" }
  }

  expect_failures = [var.table]
}

run "deadline_zero" {
  command = plan

  variables {
    request_deadline_seconds = 0
  }

  expect_failures = [var.request_deadline_seconds]
}

run "deadline_fraction" {
  command = plan

  variables {
    request_deadline_seconds = 1.5
  }

  expect_failures = [var.request_deadline_seconds]
}

run "ttl_too_short" {
  command = plan

  variables {
    request_ttl_seconds = 59
  }

  expect_failures = [var.request_ttl_seconds]
}

run "ttl_shorter_than_deadline" {
  command = plan

  variables {
    request_deadline_seconds = 600
    request_ttl_seconds      = 300
    functions                = { worker = { timeout = 900 } }
  }

  expect_failures = [var.request_ttl_seconds]
}

# A record may expire before the flow's last poll (issue 21): the deadline alone is not
# enough. At 600 s each poll pauses 4 s (ceil(600 / 98) - the checker's 3 s wait), the
# default reassurance speaks for 4 s and Connect waits up to 8 s for the checker: the last
# poll may read the table 12 s after the deadline.
run "ttl_equal_to_the_deadline" {
  command = plan

  variables {
    request_deadline_seconds = 600
    request_ttl_seconds      = 600
    functions                = { worker = { timeout = 900 } }
  }

  expect_failures = [var.request_ttl_seconds]
}

run "ttl_one_second_short_of_the_last_poll_window" {
  command = plan

  variables {
    request_deadline_seconds = 600
    request_ttl_seconds      = 611
    functions                = { worker = { timeout = 900 } }
  }

  expect_failures = [var.request_ttl_seconds]
}

run "ttl_covering_the_last_poll_window_passes" {
  command = plan

  variables {
    request_deadline_seconds = 600
    request_ttl_seconds      = 612
    functions                = { worker = { timeout = 900 } }
  }
}

# The window follows the flow's holding: a 60 s audio prompt and the 8 s limit need 68 s.
run "ttl_window_follows_the_flows_holding" {
  command = plan

  variables {
    request_deadline_seconds = 600
    request_ttl_seconds      = 667
    functions                = { worker = { timeout = 900 } }
    contact_flow             = { holding = { prompt_id = "11111111-2222-3333-4444-555555555555", prompt_seconds = 60 } }
  }

  expect_failures = [var.request_ttl_seconds]
}

run "ttl_covering_the_holdings_window_passes" {
  command = plan

  variables {
    request_deadline_seconds = 600
    request_ttl_seconds      = 668
    functions                = { worker = { timeout = 900 } }
    contact_flow             = { holding = { prompt_id = "11111111-2222-3333-4444-555555555555", prompt_seconds = 60 } }
  }
}

# Settings that must agree with each other: preconditions naming every input involved.

run "worker_timeout_covering_the_deadline_and_the_outcome_write_passes" {
  command = plan

  variables {
    request_deadline_seconds = 285
    functions                = { worker = { timeout = 300 } }
  }
}

run "worker_timeout_shorter_than_deadline_plus_outcome_write" {
  command = plan

  variables {
    request_deadline_seconds = 286
    functions                = { worker = { timeout = 300 } }
  }

  expect_failures = [aws_lambda_function.this]
}

run "writer_timeout_over_the_flows_time_limit" {
  command = plan

  variables {
    contact_flow         = { invocation_time_limit_seconds = 4 }
    functions            = { checker = { timeout = 4 } }
    checker_wait_seconds = 0
  }

  expect_failures = [aws_lambda_function.this]
}

run "checker_timeout_over_the_flows_time_limit" {
  command = plan

  variables {
    contact_flow         = { invocation_time_limit_seconds = 4 }
    functions            = { writer = { timeout = 3 }, checker = { timeout = 5 } }
    checker_wait_seconds = 0
  }

  expect_failures = [aws_lambda_function.this]
}

run "timeouts_within_the_flows_time_limit_pass" {
  command = plan

  variables {
    contact_flow         = { invocation_time_limit_seconds = 4 }
    functions            = { writer = { timeout = 4 }, checker = { timeout = 3 } }
    checker_wait_seconds = 0
  }
}

run "checker_wait_over_4" {
  command = plan

  variables {
    checker_wait_seconds = 5
    functions            = { checker = { timeout = 8 } }
  }

  expect_failures = [var.checker_wait_seconds]
}

run "checker_wait_negative" {
  command = plan

  variables {
    checker_wait_seconds = -1
  }

  expect_failures = [var.checker_wait_seconds]
}

run "checker_wait_fractional" {
  command = plan

  variables {
    checker_wait_seconds = 1.5
  }

  expect_failures = [var.checker_wait_seconds]
}

# The wait, one read attempt (3 s) and a 1 s margin must fit in the checker's timeout.
run "checker_wait_longer_than_its_timeout_allows" {
  command = plan

  variables {
    checker_wait_seconds = 3
    functions            = { checker = { timeout = 6 } }
  }

  expect_failures = [var.checker_wait_seconds]
}

run "checker_wait_filling_its_timeout_passes" {
  command = plan

  variables {
    checker_wait_seconds = 4
    functions            = { checker = { timeout = 8 } }
  }
}

# ...and in the flow's block limit, which the timeout must fit in as well.
run "checker_wait_over_the_flows_time_limit" {
  command = plan

  variables {
    checker_wait_seconds = 3
    functions            = { checker = { timeout = 7 } }
    contact_flow         = { invocation_time_limit_seconds = 6 }
  }

  expect_failures = [var.checker_wait_seconds]
}

run "worker_event_age_shorter_than_deadline" {
  command = plan

  variables {
    request_deadline_seconds = 120
    worker_async_invocation  = { maximum_event_age_in_seconds = 119 }
  }

  expect_failures = [aws_lambda_function_event_invoke_config.worker]
}

run "stream_record_age_shorter_than_deadline" {
  command = plan

  variables {
    request_deadline_seconds = 120
    stream                   = { maximum_record_age_in_seconds = 119 }
  }

  expect_failures = [aws_lambda_event_source_mapping.processor]
}

run "unlimited_stream_record_age_passes" {
  command = plan

  variables {
    stream = { maximum_record_age_in_seconds = -1 }
  }
}

run "default_task_bad" {
  command = plan

  variables {
    default_task = "two words"
  }

  expect_failures = [var.default_task]
}

run "default_task_not_starting_with_a_letter" {
  command = plan

  variables {
    default_task = "9-lives"
  }

  expect_failures = [var.default_task]
}

run "sensitive_parameter_with_comma" {
  command = plan

  variables {
    sensitive_parameters = ["a,b"]
  }

  expect_failures = [var.sensitive_parameters]
}

run "parameter_both_in_clear_and_sensitive" {
  command = plan

  variables {
    sensitive_parameters    = ["Pin"]
    log_parameters_in_clear = ["TaskName", "PIN"]
  }

  expect_failures = [var.log_parameters_in_clear]
}

run "log_parameter_in_clear_with_comma" {
  command = plan

  variables {
    log_parameters_in_clear = ["a,b"]
  }

  expect_failures = [var.log_parameters_in_clear]
}

run "demo_default_task_without_demo_tasks" {
  command = plan

  variables {
    default_task = "simulated_backend"
  }

  expect_failures = [var.default_task]
}

run "python_executable_path_missing" {
  command = plan

  variables {
    python_executable = "/nonexistent/bin/python3"
  }

  expect_failures = [terraform_data.package]
}

run "task_source_dir_missing" {
  command = plan

  variables {
    task_source_dir = "tests/terraform/fixtures/does-not-exist"
  }

  expect_failures = [var.task_source_dir]
}

run "task_package_name_reserved" {
  command = plan

  variables {
    task_package_name = "connect_tracker"
  }

  expect_failures = [var.task_package_name]
}

run "task_modules_bad" {
  command = plan

  variables {
    task_modules = ["my-tasks"]
  }

  expect_failures = [var.task_modules]
}

run "task_environment_lowercase_key" {
  command = plan

  variables {
    task_environment = { api_url = "x" }
  }

  expect_failures = [var.task_environment]
}

run "lambda_package_path_missing" {
  command = plan

  variables {
    lambda_package_path = "builds/missing.zip"
  }

  expect_failures = [var.lambda_package_path]
}

run "package_bucket_existing_without_a_name" {
  command = plan

  variables {
    package_bucket = { create = false }
  }

  expect_failures = [var.package_bucket]
}

run "package_bucket_name_not_a_bucket_name" {
  command = plan

  variables {
    package_bucket = { bucket_name = "Artifacts_Bucket" }
  }

  expect_failures = [var.package_bucket]
}

run "package_bucket_key_prefix_without_a_slash" {
  command = plan

  variables {
    package_bucket = { key_prefix = "/connect" }
  }

  expect_failures = [var.package_bucket]
}

run "package_bucket_off_needs_no_name" {
  command = plan

  variables {
    package_bucket = { enabled = false, create = false }
  }
}

run "artifacts_dir_blank" {
  command = plan

  variables {
    artifacts_dir = " "
  }

  expect_failures = [var.artifacts_dir]
}

run "python_executable_blank" {
  command = plan

  variables {
    python_executable = ""
  }

  expect_failures = [var.python_executable]
}

run "runtime_not_python" {
  command = plan

  variables {
    lambda_runtime = "nodejs20.x"
  }

  expect_failures = [var.lambda_runtime]
}

run "runtime_old_python" {
  command = plan

  variables {
    lambda_runtime = "python3.9"
  }

  expect_failures = [var.lambda_runtime]
}

run "architecture_bad" {
  command = plan

  variables {
    lambda_architecture = "aarch64"
  }

  expect_failures = [var.lambda_architecture]
}

run "memory_too_small" {
  command = plan

  variables {
    functions = { writer = { memory_size = 64 } }
  }

  expect_failures = [var.functions]
}

run "writer_timeout_over_8" {
  command = plan

  variables {
    functions = { writer = { timeout = 9 } }
  }

  expect_failures = [var.functions]
}

run "checker_timeout_over_8" {
  command = plan

  variables {
    functions = { checker = { timeout = 30 } }
  }

  expect_failures = [var.functions]
}

run "processor_timeout_over_900" {
  command = plan

  variables {
    functions = { processor = { timeout = 901 } }
  }

  expect_failures = [var.functions]
}

run "worker_timeout_over_900" {
  command = plan

  variables {
    functions = { worker = { timeout = 901 } }
  }

  expect_failures = [var.functions]
}

run "worker_retry_attempts_over_2" {
  command = plan

  variables {
    worker_async_invocation = { maximum_retry_attempts = 3 }
  }

  expect_failures = [var.worker_async_invocation]
}

run "worker_event_age_under_60" {
  command = plan

  variables {
    worker_async_invocation = { maximum_event_age_in_seconds = 59 }
  }

  expect_failures = [var.worker_async_invocation]
}

run "worker_event_age_over_6_hours" {
  command = plan

  variables {
    worker_async_invocation = { maximum_event_age_in_seconds = 21601 }
  }

  expect_failures = [var.worker_async_invocation]
}

run "reserved_concurrency_below_unreserved" {
  command = plan

  variables {
    # -1 means unreserved; anything below it is no concurrency at all.
    functions = { processor = { reserved_concurrent_executions = -3 } }
  }

  expect_failures = [var.functions]
}

run "application_log_level_bad" {
  command = plan

  variables {
    logging = { application_log_level = "VERBOSE" }
  }

  expect_failures = [var.logging]
}

run "system_log_level_bad" {
  command = plan

  variables {
    logging = { system_log_level = "ERROR" }
  }

  expect_failures = [var.logging]
}

run "retention_not_allowed" {
  command = plan

  variables {
    logging = { retention_in_days = 10 }
  }

  expect_failures = [var.logging]
}

run "tracing_mode_bad" {
  command = plan

  variables {
    tracing_mode = "On"
  }

  expect_failures = [var.tracing_mode]
}

run "role_path_bad" {
  command = plan

  variables {
    role_path = "tracker"
  }

  expect_failures = [var.role_path]
}

run "permissions_boundary_bad" {
  command = plan

  variables {
    role_permissions_boundary = "boundary"
  }

  expect_failures = [var.role_permissions_boundary]
}

run "batch_size_zero" {
  command = plan

  variables {
    stream = { batch_size = 0 }
  }

  expect_failures = [var.stream]
}

run "batching_window_too_long" {
  command = plan

  variables {
    stream = { maximum_batching_window_in_seconds = 301 }
  }

  expect_failures = [var.stream]
}

run "parallelization_too_high" {
  command = plan

  variables {
    stream = { parallelization_factor = 11 }
  }

  expect_failures = [var.stream]
}

run "retry_attempts_bad" {
  command = plan

  variables {
    stream = { maximum_retry_attempts = -2 }
  }

  expect_failures = [var.stream]
}

run "starting_position_at_timestamp" {
  command = plan

  variables {
    stream = { starting_position = "AT_TIMESTAMP" }
  }

  expect_failures = [var.stream]
}

run "record_age_bad" {
  command = plan

  variables {
    stream = { maximum_record_age_in_seconds = 30 }
  }

  expect_failures = [var.stream]
}

run "queue_retention_too_long" {
  command = plan

  variables {
    on_failure_queue = { message_retention_seconds = 1209601 }
  }

  expect_failures = [var.on_failure_queue]
}

run "queue_key_reuse_too_short" {
  command = plan

  variables {
    on_failure_queue = { kms_data_key_reuse_period_seconds = 59 }
  }

  expect_failures = [var.on_failure_queue]
}

run "connect_arn_not_instance" {
  command = plan

  variables {
    connect_instance_arn = "arn:aws:connect:eu-west-1:111122223333:instance"
  }

  expect_failures = [var.connect_instance_arn]
}

run "flow_name_too_long" {
  command = plan

  variables {
    contact_flow = { name = "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx" }
  }

  expect_failures = [var.contact_flow]
}

run "flow_description_too_long" {
  command = plan

  variables {
    contact_flow = { description = "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx" }
  }

  expect_failures = [var.contact_flow]
}

run "flow_poll_count_removed" {
  command = plan

  variables {
    contact_flow = { poll_count = 10 }
  }

  expect_failures = [var.contact_flow]
}

run "flow_poll_interval_removed" {
  command = plan

  variables {
    contact_flow = { poll_interval_seconds = 5 }
  }

  expect_failures = [var.contact_flow]
}

# A long deadline: the polls grow a pause so that Connect's largest Loop reaches it.
run "flow_long_deadline_passes" {
  command = plan

  variables {
    request_deadline_seconds = 800
    request_ttl_seconds      = 3600
    functions                = { worker = { timeout = 815 } }
  }
}

run "flow_time_limit_over_8" {
  command = plan

  variables {
    contact_flow = { invocation_time_limit_seconds = 9 }
  }

  expect_failures = [var.contact_flow]
}

run "connect_resources_without_instance" {
  command = plan

  variables {
    create_connect_resources = true
  }

  expect_failures = [var.create_connect_resources]
}

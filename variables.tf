################################################################################
# General
################################################################################

variable "create" {
  description = "Whether to create any resource at all (true or false). With false the module creates nothing and every output is null."
  type        = bool
  default     = true
  nullable    = false
}

variable "name" {
  description = "Prefix of every resource name (table, functions, roles, log groups, queue, flow): 1-40 characters, letters, digits, hyphens and underscores, starting with a letter."
  type        = string

  validation {
    condition     = can(regex("^[A-Za-z][A-Za-z0-9_-]{0,39}$", var.name))
    error_message = "The name must be 1-40 characters of letters, digits, '-' or '_', starting with a letter."
  }
}

variable "tags" {
  description = "Tags added to every taggable resource: a map of string keys (1-128 characters) to string values (0-256 characters)."
  type        = map(string)
  default     = {}
  nullable    = false

  validation {
    condition     = alltrue([for key, value in var.tags : length(key) >= 1 && length(key) <= 128 && length(value) <= 256 && !startswith(lower(key), "aws:")])
    error_message = "Every key of tags must be 1-128 characters and not start with 'aws:', and every value at most 256 characters."
  }
}

variable "kms_key_arn" {
  description = "ARN of a customer-managed KMS key encrypting the tracker table, the on-failure queue, the functions' environment variables and (see encrypt_log_groups_with_kms_key) the log groups; null (default) uses AWS-managed encryption (the aws/dynamodb key, SSE-SQS, Lambda's own key). The key policy must let DynamoDB, SQS, Lambda and (for logs) logs.<region>.amazonaws.com use it."
  type        = string
  default     = null

  validation {
    condition     = var.kms_key_arn == null || can(regex("^arn:aws[a-zA-Z-]*:kms:[a-z0-9-]+:[0-9]{12}:key/[A-Za-z0-9-]+$", var.kms_key_arn))
    error_message = "The kms_key_arn must be null or a KMS key ARN (arn:<partition>:kms:<region>:<account>:key/<key-id>); aliases are not accepted."
  }
}

variable "encrypt_log_groups_with_kms_key" {
  description = "Whether the functions' log groups are encrypted with kms_key_arn when one is given (true or false). The key policy must then allow logs.<region>.amazonaws.com."
  type        = bool
  default     = true
  nullable    = false
}

################################################################################
# Tracker table
################################################################################

variable "table" {
  description = <<-EOT
    Tracker table settings:
    billing_mode: PAY_PER_REQUEST (default) or PROVISIONED;
    read_capacity, write_capacity: whole numbers >= 1, used only with PROVISIONED (default 5);
    point_in_time_recovery: true (default) or false;
    deletion_protection: true or false (default);
    table_class: STANDARD (default) or STANDARD_INFREQUENT_ACCESS.
  EOT
  type = object({
    billing_mode           = optional(string, "PAY_PER_REQUEST")
    read_capacity          = optional(number, 5)
    write_capacity         = optional(number, 5)
    point_in_time_recovery = optional(bool, true)
    deletion_protection    = optional(bool, false)
    table_class            = optional(string, "STANDARD")
  })
  default  = {}
  nullable = false

  validation {
    condition     = contains(["PAY_PER_REQUEST", "PROVISIONED"], var.table.billing_mode)
    error_message = "The table.billing_mode must be PAY_PER_REQUEST or PROVISIONED."
  }
  validation {
    condition     = var.table.read_capacity >= 1 && var.table.write_capacity >= 1 && floor(var.table.read_capacity) == var.table.read_capacity && floor(var.table.write_capacity) == var.table.write_capacity
    error_message = "The table.read_capacity and table.write_capacity must be whole numbers >= 1."
  }
  validation {
    condition     = contains(["STANDARD", "STANDARD_INFREQUENT_ACCESS"], var.table.table_class)
    error_message = "The table.table_class must be STANDARD or STANDARD_INFREQUENT_ACCESS."
  }
}

################################################################################
# Requests (the functions' settings, see docs/architecture.md)
################################################################################

variable "request_deadline_seconds" {
  description = "Seconds from a request's creation until it is sealed TIMED_OUT (TRACKER_REQUEST_DEADLINE_SECONDS): a whole number from 1 to 86400, at most request_ttl_seconds."
  type        = number
  default     = 120
  nullable    = false

  validation {
    condition     = var.request_deadline_seconds >= 1 && var.request_deadline_seconds <= 86400 && floor(var.request_deadline_seconds) == var.request_deadline_seconds
    error_message = "The request_deadline_seconds must be a whole number from 1 to 86400."
  }
}

variable "request_ttl_seconds" {
  description = "Seconds from a request's creation until DynamoDB may expire its record (TRACKER_REQUEST_TTL_SECONDS, attribute ExpiresAt): a whole number from 60 to 31536000 (one year), at least request_deadline_seconds plus the flow's last poll window (the longest holding between two polls plus contact_flow.invocation_time_limit_seconds; modules/contact-flow's last_poll_window_seconds output)."
  type        = number
  default     = 86400
  nullable    = false

  validation {
    condition     = var.request_ttl_seconds >= 60 && var.request_ttl_seconds <= 31536000 && floor(var.request_ttl_seconds) == var.request_ttl_seconds
    error_message = "The request_ttl_seconds must be a whole number from 60 to 31536000."
  }
  # DynamoDB may delete a record once its ExpiresAt has passed, and the flow polls once
  # more after the deadline: after the longest holding between two polls, a checker call
  # of up to the block's time limit (modules/contact-flow's last_poll_window_seconds). A
  # record must outlive that last poll.
  validation {
    condition     = var.request_ttl_seconds >= var.request_deadline_seconds + local.last_poll_window_seconds
    error_message = "The request_ttl_seconds (${var.request_ttl_seconds}) must be at least request_deadline_seconds (${var.request_deadline_seconds}) + the flow's last poll window (${local.last_poll_window_seconds} s: the longest holding between polls, from contact_flow.holding, contact_flow.prompts.holding and the deadline's pause, + contact_flow.invocation_time_limit_seconds) = ${var.request_deadline_seconds + local.last_poll_window_seconds}: DynamoDB may delete a record once its TTL has passed, and the flow polls once more after the deadline."
  }
}

variable "default_task" {
  description = "Task the writer records when the flow passes no TaskName parameter (TRACKER_DEFAULT_TASK): null (default: the flow must name one) or a task name: a letter, then up to 63 letters, digits, '_', '-' or '.' (what the writer accepts)."
  type        = string
  default     = null

  validation {
    condition     = var.default_task == null || can(regex("^[A-Za-z][A-Za-z0-9_.-]{0,63}$", var.default_task))
    error_message = "The default_task must be null or a letter followed by up to 63 letters, digits, '_', '-' or '.' (the writer refuses any other name)."
  }

  validation {
    condition     = var.enable_demo_tasks || !contains(["simulated_backend", "legacy_http_lookup"], coalesce(var.default_task, "-"))
    error_message = "The default_task names a built-in demo task (${coalesce(var.default_task, "-")}), which is registered only with enable_demo_tasks = true: set it, or name one of your own tasks."
  }
}

variable "log_parameters_in_clear" {
  description = "Names of request parameters the writer may log in clear (TRACKER_LOG_PARAMETERS_IN_CLEAR), compared case-insensitively: every other parameter is logged by name and length only, and phone-like values stay masked even when listed. Empty (default): no value in clear. A list of names of letters, digits, '_', '-' or '.' (no commas), none of them in sensitive_parameters."
  type        = list(string)
  default     = []
  nullable    = false

  validation {
    condition     = alltrue([for name in var.log_parameters_in_clear : can(regex("^[A-Za-z0-9_.-]{1,128}$", name))])
    error_message = "Every entry of log_parameters_in_clear must be 1-128 characters of letters, digits, '_', '-' or '.'."
  }

  validation {
    condition     = length(setintersection([for name in var.log_parameters_in_clear : lower(name)], [for name in var.sensitive_parameters : lower(name)])) == 0
    error_message = "A parameter may not be both in log_parameters_in_clear and in sensitive_parameters; found in both: ${join(", ", setintersection([for name in var.log_parameters_in_clear : lower(name)], [for name in var.sensitive_parameters : lower(name)]))}."
  }
}

variable "sensitive_parameters" {
  description = "Names of request parameters never logged in clear (TRACKER_SENSITIVE_PARAMETERS). Since log_parameters_in_clear, every parameter is masked by default and this list is needed only as a guard: a name here may not be allow-listed. A list of names of letters, digits, '_', '-' or '.' (no commas)."
  type        = list(string)
  default     = []
  nullable    = false

  validation {
    condition     = alltrue([for name in var.sensitive_parameters : can(regex("^[A-Za-z0-9_.-]{1,128}$", name))])
    error_message = "Every entry of sensitive_parameters must be 1-128 characters of letters, digits, '_', '-' or '.'."
  }
}

variable "consistent_read" {
  description = "Whether the checker reads the tracker table with strongly consistent reads (TRACKER_CONSISTENT_READ): true (default) or false. Used only with checker_wait_seconds = 0: a checker that waits always reads strongly consistent, since a stale read would miss the outcome it waits for."
  type        = bool
  default     = true
  nullable    = false
}

variable "checker_wait_seconds" {
  description = "Seconds one checker invocation may wait for its request to become terminal (TRACKER_CHECKER_WAIT_SECONDS), reading it every 0.5 s and answering as soon as it is, or with its status when the wait ends: a whole number from 0 to 4 (default 3); 0 reads once and answers at once. Unless 0, checker_wait_seconds + 4 (one read attempt of 3 s and a 1 s margin) must be at most functions.checker.timeout, itself at most contact_flow.invocation_time_limit_seconds. Passed to the contact flow for its pacing. Why 3 s and what the reads cost: docs/execution.md."
  type        = number
  default     = 3
  nullable    = false

  validation {
    condition     = var.checker_wait_seconds >= 0 && var.checker_wait_seconds <= 4 && floor(var.checker_wait_seconds) == var.checker_wait_seconds
    error_message = "The checker_wait_seconds must be a whole number from 0 to 4: Connect waits at most 8 s for the checker, and the wait needs 4 s beside it for one read attempt and a margin."
  }
  validation {
    # The wait, one more read (one SDK attempt: 1 s connect + 2 s read, handlers/_runtime.py)
    # and a margin must fit in the function's timeout, or the budget cuts the wait short.
    condition     = var.checker_wait_seconds == 0 || var.checker_wait_seconds + 4 <= var.functions.checker.timeout
    error_message = "The checker_wait_seconds (${var.checker_wait_seconds}) + 4 s (one read attempt of 3 s and a 1 s margin) must be at most functions.checker.timeout (${var.functions.checker.timeout}): raise functions.checker.timeout to at least ${var.checker_wait_seconds + 4} (at most contact_flow.invocation_time_limit_seconds, ${var.contact_flow.invocation_time_limit_seconds}), or lower checker_wait_seconds to ${var.functions.checker.timeout > 4 ? "at most ${var.functions.checker.timeout - 4} or to 0" : "0"}."
  }
  validation {
    # The same against the flow's block limit (the timeout must fit in it as well): Connect
    # stops waiting for the checker after that limit.
    condition     = var.checker_wait_seconds == 0 || var.checker_wait_seconds + 4 <= var.contact_flow.invocation_time_limit_seconds
    error_message = "The checker_wait_seconds (${var.checker_wait_seconds}) + 4 s (one read attempt of 3 s and a 1 s margin) must be at most contact_flow.invocation_time_limit_seconds (${var.contact_flow.invocation_time_limit_seconds}): Connect would stop waiting for the checker before it answers. Raise contact_flow.invocation_time_limit_seconds to at least ${var.checker_wait_seconds + 4} (at most 8), or lower checker_wait_seconds to ${var.contact_flow.invocation_time_limit_seconds > 4 ? "at most ${var.contact_flow.invocation_time_limit_seconds - 4} or to 0" : "0"}."
  }
}

################################################################################
# Task code and packaging
################################################################################

variable "task_source_dir" {
  description = "Directory holding your task code, copied into the deployment package as a top-level Python package (see task_package_name); null (default) for none. Ignored when lambda_package_path is set."
  type        = string
  default     = null

  validation {
    condition     = var.task_source_dir == null || try(length(fileset(var.task_source_dir, "**/*.py")) > 0, false)
    error_message = "The task_source_dir must be null or an existing directory holding at least one .py file."
  }
}

variable "task_package_name" {
  description = "Name of the top-level package task_source_dir becomes in the deployment package: null (default: the directory's basename) or a Python identifier other than connect_tracker."
  type        = string
  default     = null

  validation {
    condition     = var.task_package_name == null || (can(regex("^[A-Za-z_][A-Za-z0-9_]*$", var.task_package_name)) && var.task_package_name != "connect_tracker")
    error_message = "The task_package_name must be null or a Python identifier (letters, digits, '_', not starting with a digit) other than connect_tracker."
  }
}

variable "task_modules" {
  description = "Importable modules holding your tasks, imported by the worker (TRACKER_TASK_MODULES): a list of dotted Python module names. Empty (default) means the task package itself when task_source_dir is set, else none."
  type        = list(string)
  default     = []
  nullable    = false

  validation {
    condition     = alltrue([for module in var.task_modules : can(regex("^[A-Za-z_][A-Za-z0-9_]*(\\.[A-Za-z_][A-Za-z0-9_]*)*$", module))])
    error_message = "Every entry of task_modules must be a dotted Python module name such as my_tasks or my_tasks.billing."
  }
}

variable "enable_demo_tasks" {
  description = "Whether the worker registers the built-in demo tasks simulated_backend (waits up to 900 s) and legacy_http_lookup (connect_tracker.tasks.builtin, added to TRACKER_TASK_MODULES): false (default) in production, where a flow that takes TaskName from an attribute must not reach them; true for the examples, demos and tests."
  type        = bool
  default     = false
  nullable    = false
}

variable "task_environment" {
  description = "Free settings for your tasks, set on the worker as TRACKER_TASK_ENV_<KEY>: a map whose keys are 1-64 characters of upper-case letters, digits and '_' (starting with a letter)."
  type        = map(string)
  default     = {}
  nullable    = false

  validation {
    condition     = alltrue([for key in keys(var.task_environment) : can(regex("^[A-Z][A-Z0-9_]{0,63}$", key))])
    error_message = "Every key of task_environment must be 1-64 characters of upper-case letters, digits and '_', starting with a letter."
  }
}

variable "lambda_package_path" {
  description = "Path of a prebuilt deployment package (.zip) used instead of building one from lambda_src/ and task_source_dir; null (default) builds it at apply time."
  type        = string
  default     = null

  validation {
    condition     = var.lambda_package_path == null || (endswith(coalesce(var.lambda_package_path, "-"), ".zip") && fileexists(coalesce(var.lambda_package_path, "-")))
    error_message = "The lambda_package_path must be null or the path of an existing .zip file."
  }
}

variable "package_bucket" {
  description = "Where the deployment package is staged. enabled = true (default): the package is uploaded once per source hash to an S3 object and every function is created and updated from that object, so a function Terraform creates or updates later (a -replace, a new lambda_architecture, a function deleted outside Terraform) never needs the local zip, which a fresh CI checkout does not have. create = true (default) makes a private bucket for it (bucket_name, else a unique name starting with the module's name; versioned, encrypted with kms_key_arn or else SSE-S3, public access blocked, TLS only, emptied on destroy when force_destroy); create = false stages it in bucket_name, an existing bucket in the module's region. key_prefix is prepended to the object key (\"<key_prefix><name>/<hash>.zip\"). enabled = false uploads the zip with each function instead (docs/operations.md says what that cannot recover from a fresh checkout)."
  type = object({
    enabled       = optional(bool, true)
    create        = optional(bool, true)
    bucket_name   = optional(string)
    key_prefix    = optional(string, "")
    force_destroy = optional(bool, true)
  })
  default  = {}
  nullable = false

  validation {
    condition     = var.package_bucket.bucket_name == null || can(regex("^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$", coalesce(var.package_bucket.bucket_name, "-"))) && !can(regex("\\.\\.", coalesce(var.package_bucket.bucket_name, "-")))
    error_message = "The package_bucket.bucket_name must be null or an S3 bucket name: 3-63 characters of lower-case letters, digits, '.' and '-', starting and ending with a letter or digit, no '..'."
  }
  validation {
    condition     = !var.package_bucket.enabled || var.package_bucket.create || var.package_bucket.bucket_name != null
    error_message = "The package_bucket.bucket_name must name an existing bucket when package_bucket.create is false (or set package_bucket.create = true to have the module create one)."
  }
  validation {
    condition     = var.package_bucket.key_prefix == "" || can(regex("^[A-Za-z0-9!_.*'()-][A-Za-z0-9!_.*'()/-]{0,199}/$", coalesce(var.package_bucket.key_prefix, "-")))
    error_message = "The package_bucket.key_prefix must be empty or 2-201 characters of letters, digits and !_.*'()-/ ending with '/' and not starting with '/'."
  }
}

variable "artifacts_dir" {
  description = "Directory the built deployment package is written to: null (default: \"<root module>/builds\") or a path. Keep it out of version control."
  type        = string
  default     = null

  validation {
    condition     = var.artifacts_dir == null || length(trimspace(coalesce(var.artifacts_dir, " "))) > 0
    error_message = "The artifacts_dir must be null or a non-empty path."
  }
}

variable "python_executable" {
  description = "Python 3.8+ interpreter that runs the packager at apply time: a command name on PATH or a path (default python3). Checked first: a path to no file fails the plan; a command that cannot run fails the apply before any resource is created."
  type        = string
  default     = "python3"
  nullable    = false

  validation {
    condition     = length(trimspace(var.python_executable)) > 0
    error_message = "The python_executable must be a non-empty command name or path."
  }
}

################################################################################
# Functions
################################################################################

variable "lambda_runtime" {
  description = "Lambda runtime of the four functions: python3.11, python3.12 or python3.13 (default)."
  type        = string
  default     = "python3.13"
  nullable    = false

  validation {
    condition     = contains(["python3.11", "python3.12", "python3.13"], var.lambda_runtime)
    error_message = "The lambda_runtime must be one of python3.11, python3.12, python3.13."
  }
}

variable "lambda_architecture" {
  description = "Instruction set of the four functions: x86_64 (default) or arm64."
  type        = string
  default     = "x86_64"
  nullable    = false

  validation {
    condition     = contains(["x86_64", "arm64"], var.lambda_architecture)
    error_message = "The lambda_architecture must be x86_64 or arm64."
  }
}

variable "functions" {
  description = <<-EOT
    Per-function settings for writer, processor (the stream's dispatcher), worker (runs each request's task) and checker:
    memory_size: MB, a whole number from 128 to 10240 (default 256);
    timeout: seconds, whole; writer and checker 1-8 (Connect waits at most 8 s) and at most contact_flow.invocation_time_limit_seconds, writer default 7 (it waits for the table as long as it has: 1 s short of Connect's 8 s for a cold start's INIT, which the timeout does not count), checker default 7 (checker_wait_seconds + 4 for its wait, and the same 1 s); processor 1-900 (default 60: it only dispatches); worker 1-900 (default 300) and at least request_deadline_seconds + 15 (the worker keeps time back to record the outcome);
    reserved_concurrent_executions: the function's reserved concurrency, a whole number >= 0 (0 disables the function) or -1 (unreserved: it shares the account's pool); worker: default 10 (null also means 10; an unbounded worker needs -1, said explicitly), a limit that protects your backend and the account's pool the writer and checker draw from, sized by arrival rate x task duration (docs/execution.md); writer, checker and processor: null (default: unreserved) or a number of their own, so a burst of workers never throttles Connect's calls.
  EOT
  type = object({
    writer = optional(object({
      memory_size                    = optional(number, 256)
      timeout                        = optional(number, 7)
      reserved_concurrent_executions = optional(number)
    }), {})
    processor = optional(object({
      memory_size                    = optional(number, 256)
      timeout                        = optional(number, 60)
      reserved_concurrent_executions = optional(number)
    }), {})
    worker = optional(object({
      memory_size                    = optional(number, 256)
      timeout                        = optional(number, 300)
      reserved_concurrent_executions = optional(number, 10)
    }), {})
    checker = optional(object({
      memory_size                    = optional(number, 256)
      timeout                        = optional(number, 7)
      reserved_concurrent_executions = optional(number)
    }), {})
  })
  default  = {}
  nullable = false

  validation {
    condition     = alltrue([for f in [var.functions.writer, var.functions.processor, var.functions.worker, var.functions.checker] : f.memory_size >= 128 && f.memory_size <= 10240 && floor(f.memory_size) == f.memory_size])
    error_message = "Each functions.<writer|processor|worker|checker>.memory_size must be a whole number from 128 to 10240."
  }
  validation {
    condition     = alltrue([for f in [var.functions.writer, var.functions.checker] : f.timeout >= 1 && f.timeout <= 8 && floor(f.timeout) == f.timeout])
    error_message = "The functions.writer.timeout and functions.checker.timeout must be whole numbers from 1 to 8 (Connect waits at most 8 seconds)."
  }
  validation {
    condition     = var.functions.processor.timeout >= 1 && var.functions.processor.timeout <= 900 && floor(var.functions.processor.timeout) == var.functions.processor.timeout
    error_message = "The functions.processor.timeout must be a whole number from 1 to 900."
  }
  validation {
    condition     = var.functions.worker.timeout >= 1 && var.functions.worker.timeout <= 900 && floor(var.functions.worker.timeout) == var.functions.worker.timeout
    error_message = "The functions.worker.timeout must be a whole number from 1 to 900."
  }
  validation {
    condition     = alltrue([for f in [var.functions.writer, var.functions.processor, var.functions.worker, var.functions.checker] : f.reserved_concurrent_executions == null || try(f.reserved_concurrent_executions >= -1 && floor(f.reserved_concurrent_executions) == f.reserved_concurrent_executions, false)])
    error_message = "Each functions.<writer|processor|worker|checker>.reserved_concurrent_executions must be null, -1 (unreserved) or a whole number >= 0."
  }
}

variable "worker_async_invocation" {
  description = <<-EOT
    How Lambda handles the worker's asynchronous invocations (aws_lambda_function_event_invoke_config):
    maximum_retry_attempts: 0-2 (default 2): retries after the worker itself fails (it fails only when it can neither record nor hand over a request);
    maximum_event_age_in_seconds: 60-21600 (default 3600) and at least request_deadline_seconds: how long Lambda keeps an event it could not run yet (throttled) before sending it to the on-failure queue.
  EOT
  type = object({
    maximum_retry_attempts       = optional(number, 2)
    maximum_event_age_in_seconds = optional(number, 3600)
  })
  default  = {}
  nullable = false

  validation {
    condition     = contains([0, 1, 2], var.worker_async_invocation.maximum_retry_attempts)
    error_message = "The worker_async_invocation.maximum_retry_attempts must be 0, 1 or 2."
  }
  validation {
    condition     = var.worker_async_invocation.maximum_event_age_in_seconds >= 60 && var.worker_async_invocation.maximum_event_age_in_seconds <= 21600 && floor(var.worker_async_invocation.maximum_event_age_in_seconds) == var.worker_async_invocation.maximum_event_age_in_seconds
    error_message = "The worker_async_invocation.maximum_event_age_in_seconds must be a whole number from 60 to 21600."
  }
}

variable "logging" {
  description = <<-EOT
    Logging of the four functions (log format is always JSON):
    application_log_level: TRACE, DEBUG, INFO (default), WARN, ERROR or FATAL;
    system_log_level: DEBUG, INFO or WARN (default);
    retention_in_days: a CloudWatch Logs retention: 0 (never expire), 1, 3, 5, 7, 14, 30 (default), 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288 or 3653.
  EOT
  type = object({
    application_log_level = optional(string, "INFO")
    system_log_level      = optional(string, "WARN")
    retention_in_days     = optional(number, 30)
  })
  default  = {}
  nullable = false

  validation {
    condition     = contains(["TRACE", "DEBUG", "INFO", "WARN", "ERROR", "FATAL"], var.logging.application_log_level)
    error_message = "The logging.application_log_level must be one of TRACE, DEBUG, INFO, WARN, ERROR, FATAL."
  }
  validation {
    condition     = contains(["DEBUG", "INFO", "WARN"], var.logging.system_log_level)
    error_message = "The logging.system_log_level must be one of DEBUG, INFO, WARN."
  }
  validation {
    condition     = contains([0, 1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653], var.logging.retention_in_days)
    error_message = "The logging.retention_in_days must be one of 0, 1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653."
  }
}

variable "tracing_mode" {
  description = "AWS X-Ray tracing of the four functions: null (default: off), Active or PassThrough. Any non-null value grants the roles xray:PutTraceSegments and xray:PutTelemetryRecords."
  type        = string
  default     = null

  validation {
    condition     = var.tracing_mode == null || contains(["Active", "PassThrough"], coalesce(var.tracing_mode, "-"))
    error_message = "The tracing_mode must be null, Active or PassThrough."
  }
}

################################################################################
# The worker's reach: private network, secrets, libraries, permissions (docs/operations.md)
################################################################################

variable "worker_vpc_config" {
  description = "The VPC the worker runs in, to reach a backend in a private network: null (default: no VPC) or an object: subnet_ids: 1-16 subnet IDs (subnet-...); security_group_ids: 1-5 security group IDs (sg-...); ipv6_allowed_for_dual_stack: false (default) or true (outbound IPv6 from dual-stack subnets). Only the worker joins the VPC and gets the network-interface permissions Lambda needs for it; the writer, checker and processor stay outside (docs/operations.md says why, and which endpoints or NAT the VPC needs so the worker still reaches DynamoDB and Lambda)."
  type = object({
    subnet_ids                  = list(string)
    security_group_ids          = list(string)
    ipv6_allowed_for_dual_stack = optional(bool, false)
  })
  default = null

  # Lambda's VpcConfig: SubnetIds at most 16, SecurityGroupIds at most 5, each matching
  # subnet-[a-z0-9]{8}|{17} and sg-[a-z0-9]{8}|{17}. https://docs.aws.amazon.com/lambda/latest/api/API_VpcConfig.html
  validation {
    condition     = var.worker_vpc_config == null || try(length(var.worker_vpc_config.subnet_ids) >= 1 && length(var.worker_vpc_config.subnet_ids) <= 16 && alltrue([for id in var.worker_vpc_config.subnet_ids : can(regex("^subnet-([a-z0-9]{8}|[a-z0-9]{17})$", id))]), false)
    error_message = "The worker_vpc_config.subnet_ids must hold 1-16 subnet IDs (subnet- followed by 8 or 17 lower-case letters or digits)."
  }
  validation {
    condition     = var.worker_vpc_config == null || try(length(var.worker_vpc_config.security_group_ids) >= 1 && length(var.worker_vpc_config.security_group_ids) <= 5 && alltrue([for id in var.worker_vpc_config.security_group_ids : can(regex("^sg-([a-z0-9]{8}|[a-z0-9]{17})$", id))]), false)
    error_message = "The worker_vpc_config.security_group_ids must hold 1-5 security group IDs (sg- followed by 8 or 17 lower-case letters or digits)."
  }
}

variable "task_secrets" {
  description = "Secrets your tasks read with context.secret(\"NAME\"): a map of NAME (1-64 characters of upper-case letters, digits and '_', starting with a letter) to the full ARN of a Secrets Manager secret (arn:<partition>:secretsmanager:<region>:<account>:secret:<name>-<6 characters>, as aws_secretsmanager_secret.arn gives it) or of an SSM SecureString parameter (arn:<partition>:ssm:<region>:<account>:parameter/<name>). Empty (default): none. Only the worker may read them (secretsmanager:GetSecretValue, ssm:GetParameter on exactly these ARNs); a secret encrypted with a customer-managed key also needs task_secrets_kms_key_arn. The worker caches a value per execution environment for 5 minutes and never logs it (docs/operations.md)."
  type        = map(string)
  default     = {}
  nullable    = false

  validation {
    condition     = alltrue([for name in keys(var.task_secrets) : can(regex("^[A-Z][A-Z0-9_]{0,63}$", name))])
    error_message = "Every key of task_secrets must be 1-64 characters of upper-case letters, digits and '_', starting with a letter (the NAME a task passes to context.secret)."
  }
  validation {
    condition     = alltrue([for arn in values(var.task_secrets) : can(regex("^arn:aws[a-zA-Z-]*:secretsmanager:[a-z0-9-]+:[0-9]{12}:secret:[A-Za-z0-9/_+=.@-]+-[A-Za-z0-9]{6}$", arn)) || can(regex("^arn:aws[a-zA-Z-]*:ssm:[a-z0-9-]+:[0-9]{12}:parameter/[A-Za-z0-9/_.-]+$", arn))])
    error_message = "Every value of task_secrets must be the full ARN of a Secrets Manager secret (arn:<partition>:secretsmanager:<region>:<account>:secret:<name>-<6 characters>) or of an SSM parameter (arn:<partition>:ssm:<region>:<account>:parameter/<name>)."
  }
}

variable "task_secrets_kms_key_arn" {
  description = "ARN of the customer-managed KMS key that encrypts one or more of task_secrets: the worker gets kms:Decrypt on it, only through Secrets Manager and SSM (kms:ViaService). null (default) when the secrets use the AWS-managed keys aws/secretsmanager and aws/ssm, which need no grant of ours. Needs task_secrets."
  type        = string
  default     = null

  validation {
    condition     = var.task_secrets_kms_key_arn == null || can(regex("^arn:aws[a-zA-Z-]*:kms:[a-z0-9-]+:[0-9]{12}:key/[A-Za-z0-9-]+$", coalesce(var.task_secrets_kms_key_arn, "-")))
    error_message = "The task_secrets_kms_key_arn must be null or a KMS key ARN (arn:<partition>:kms:<region>:<account>:key/<key-id>); aliases are not accepted."
  }
  validation {
    condition     = var.task_secrets_kms_key_arn == null || length(var.task_secrets) > 0
    error_message = "The task_secrets_kms_key_arn is set but task_secrets is empty: the key decrypts task secrets only; name the secrets in task_secrets or leave the key null."
  }
}

variable "task_requirements_file" {
  description = "Path of a pip requirements file whose packages the packager installs into the deployment package at apply time, for lambda_runtime and lambda_architecture (pip install --platform manylinux2014_x86_64 or manylinux2014_aarch64 --implementation cp --python-version <runtime> --only-binary=:all:): wheels only, nothing is compiled. null (default) for none. python_executable needs pip and the package index; a requirement that cannot be resolved fails the apply, naming it, before any function changes. The package hash follows the file's content. Ignored when lambda_package_path is set; large libraries are better published as a layer (worker_layers), which only the worker loads."
  type        = string
  default     = null

  validation {
    condition     = var.task_requirements_file == null || try(fileexists(var.task_requirements_file), false)
    error_message = "The task_requirements_file must be null or the path of an existing pip requirements file."
  }
}

variable "worker_layers" {
  description = "ARNs of Lambda layer versions added to the worker only (arn:<partition>:lambda:<region>:<account>:layer:<name>:<version>): at most 5, Lambda's limit per function. Empty (default): none."
  type        = list(string)
  default     = []
  nullable    = false

  validation {
    condition     = length(var.worker_layers) <= 5 && alltrue([for arn in var.worker_layers : can(regex("^arn:aws[a-zA-Z-]*:lambda:[a-z0-9-]+:[0-9]{12}:layer:[A-Za-z0-9_-]{1,140}:[0-9]+$", arn))])
    error_message = "The worker_layers must be at most 5 Lambda layer version ARNs (arn:<partition>:lambda:<region>:<account>:layer:<name>:<version>)."
  }
  validation {
    condition     = length(distinct([for arn in var.worker_layers : join(":", slice(split(":", arn), 0, min(7, length(split(":", arn)))))])) == length(var.worker_layers)
    error_message = "The worker_layers may name each layer once (Lambda refuses two versions of one layer)."
  }
}

variable "worker_policy_statements" {
  description = "IAM statements your tasks need (another AWS service they call), added to the worker's role only as one more inline policy: a map of statement id (1-64 letters and digits, the Sid) to an object: effect: Allow (default) or Deny; actions: a non-empty list of IAM actions (service:Action, wildcards allowed); resources: a non-empty list of ARNs or \"*\"; condition: optional list of { test (an IAM condition operator such as StringEquals), variable (a condition key such as aws:SourceVpce), values (non-empty list) }, each test and variable pair at most once. Empty (default): none."
  type = map(object({
    effect    = optional(string, "Allow")
    actions   = list(string)
    resources = list(string)
    condition = optional(list(object({
      test     = string
      variable = string
      values   = list(string)
    })), [])
  }))
  default  = {}
  nullable = false

  validation {
    condition     = alltrue([for sid in keys(var.worker_policy_statements) : can(regex("^[A-Za-z0-9]{1,64}$", sid))])
    error_message = "Every key of worker_policy_statements must be 1-64 letters and digits (it becomes the statement's Sid)."
  }
  validation {
    condition     = alltrue([for statement in values(var.worker_policy_statements) : contains(["Allow", "Deny"], statement.effect)])
    error_message = "Every worker_policy_statements.<sid>.effect must be Allow or Deny."
  }
  validation {
    condition     = alltrue([for statement in values(var.worker_policy_statements) : length(statement.actions) > 0 && alltrue([for action in statement.actions : can(regex("^([a-z0-9-]+:[A-Za-z0-9*?]+|\\*)$", action))])])
    error_message = "Every worker_policy_statements.<sid>.actions must be a non-empty list of IAM actions (service:Action, such as s3:GetObject; wildcards * and ? allowed)."
  }
  validation {
    condition     = alltrue([for statement in values(var.worker_policy_statements) : length(statement.resources) > 0 && alltrue([for resource in statement.resources : can(regex("^(\\*|arn:.+)$", resource))])])
    error_message = "Every worker_policy_statements.<sid>.resources must be a non-empty list of ARNs (arn:...) or \"*\"."
  }
  validation {
    condition = alltrue([for statement in values(var.worker_policy_statements) : alltrue([
      for condition in statement.condition : can(regex("^[A-Za-z]+(IfExists)?$", condition.test)) && can(regex("^[A-Za-z0-9]+:[A-Za-z0-9/_.:-]+$", condition.variable)) && length(condition.values) > 0
      ]) && length(distinct([for condition in statement.condition : "${condition.test} ${condition.variable}"])) == length(statement.condition)
    ])
    error_message = "Every worker_policy_statements.<sid>.condition entry needs a test (an IAM condition operator such as StringEquals), a variable (a condition key such as aws:SourceVpce) and a non-empty list of values, each test and variable pair at most once per statement."
  }
}

################################################################################
# IAM
################################################################################

variable "role_path" {
  description = "Path of the four IAM roles: null (default: \"/\") or a path starting and ending with '/', at most 512 characters."
  type        = string
  default     = null

  validation {
    condition     = var.role_path == null || can(regex("^/([!-~]{0,510}/)?$", coalesce(var.role_path, "-")))
    error_message = "The role_path must be null or a path that starts and ends with '/' (for example /service/), at most 512 printable characters."
  }
}

variable "role_permissions_boundary" {
  description = "ARN of a managed policy set as the permissions boundary of the four IAM roles; null (default) for none."
  type        = string
  default     = null

  validation {
    condition     = var.role_permissions_boundary == null || can(regex("^arn:aws[a-zA-Z-]*:iam::([0-9]{12}|aws):policy/.+$", coalesce(var.role_permissions_boundary, "-")))
    error_message = "The role_permissions_boundary must be null or an IAM policy ARN (arn:<partition>:iam::<account>:policy/<name>)."
  }
}

################################################################################
# Stream trigger and on-failure queue
################################################################################

variable "stream" {
  description = <<-EOT
    Event source mapping from the table's stream to the processor:
    batch_size: 1-10000 (default 100: the processor only dispatches, so a batch costs it one asynchronous Invoke per record, made in parallel; with maximum_batching_window_in_seconds = 0 Lambda does not wait to fill a batch);
    maximum_batching_window_in_seconds: 0-300 (default 0);
    parallelization_factor: 1-10 (default 1);
    bisect_batch_on_function_error: true (default) or false;
    maximum_retry_attempts: -1 (unlimited) or 0-10000 (default 2);
    maximum_record_age_in_seconds: -1 (unlimited) or 60-604800 (default 3600), and -1 or at least request_deadline_seconds;
    starting_position: TRIM_HORIZON (default) or LATEST. Lambda may take minutes to start polling a new mapping, and with LATEST the requests written meanwhile are never read: TRIM_HORIZON reads the stream from its oldest record, which on a new table is its first. Changing it replaces the mapping (docs/architecture.md);
    enabled: true (default) or false.
  EOT
  type = object({
    batch_size                         = optional(number, 100)
    maximum_batching_window_in_seconds = optional(number, 0)
    parallelization_factor             = optional(number, 1)
    bisect_batch_on_function_error     = optional(bool, true)
    maximum_retry_attempts             = optional(number, 2)
    maximum_record_age_in_seconds      = optional(number, 3600)
    starting_position                  = optional(string, "TRIM_HORIZON")
    enabled                            = optional(bool, true)
  })
  default  = {}
  nullable = false

  validation {
    condition     = var.stream.batch_size >= 1 && var.stream.batch_size <= 10000 && floor(var.stream.batch_size) == var.stream.batch_size
    error_message = "The stream.batch_size must be a whole number from 1 to 10000."
  }
  validation {
    condition     = var.stream.maximum_batching_window_in_seconds >= 0 && var.stream.maximum_batching_window_in_seconds <= 300 && floor(var.stream.maximum_batching_window_in_seconds) == var.stream.maximum_batching_window_in_seconds
    error_message = "The stream.maximum_batching_window_in_seconds must be a whole number from 0 to 300."
  }
  validation {
    condition     = var.stream.parallelization_factor >= 1 && var.stream.parallelization_factor <= 10 && floor(var.stream.parallelization_factor) == var.stream.parallelization_factor
    error_message = "The stream.parallelization_factor must be a whole number from 1 to 10."
  }
  validation {
    condition     = var.stream.maximum_retry_attempts >= -1 && var.stream.maximum_retry_attempts <= 10000 && floor(var.stream.maximum_retry_attempts) == var.stream.maximum_retry_attempts
    error_message = "The stream.maximum_retry_attempts must be -1 (unlimited) or a whole number from 0 to 10000."
  }
  validation {
    condition     = var.stream.maximum_record_age_in_seconds == -1 || (var.stream.maximum_record_age_in_seconds >= 60 && var.stream.maximum_record_age_in_seconds <= 604800 && floor(var.stream.maximum_record_age_in_seconds) == var.stream.maximum_record_age_in_seconds)
    error_message = "The stream.maximum_record_age_in_seconds must be -1 (unlimited) or a whole number from 60 to 604800."
  }
  validation {
    # The provider also accepts AT_TIMESTAMP, which only Kinesis and Kafka sources support.
    condition     = contains(["TRIM_HORIZON", "LATEST"], var.stream.starting_position)
    error_message = "The stream.starting_position must be TRIM_HORIZON or LATEST (a DynamoDB stream has no AT_TIMESTAMP)."
  }
}

variable "on_failure_queue" {
  description = <<-EOT
    SQS queue receiving the stream batches the processor gave up on and the worker events Lambda gave up on:
    message_retention_seconds: 60-1209600 (default 1209600, 14 days);
    kms_data_key_reuse_period_seconds: 60-86400 (default 300), used only with kms_key_arn.
  EOT
  type = object({
    message_retention_seconds         = optional(number, 1209600)
    kms_data_key_reuse_period_seconds = optional(number, 300)
  })
  default  = {}
  nullable = false

  validation {
    condition     = var.on_failure_queue.message_retention_seconds >= 60 && var.on_failure_queue.message_retention_seconds <= 1209600 && floor(var.on_failure_queue.message_retention_seconds) == var.on_failure_queue.message_retention_seconds
    error_message = "The on_failure_queue.message_retention_seconds must be a whole number from 60 to 1209600."
  }
  validation {
    condition     = var.on_failure_queue.kms_data_key_reuse_period_seconds >= 60 && var.on_failure_queue.kms_data_key_reuse_period_seconds <= 86400 && floor(var.on_failure_queue.kms_data_key_reuse_period_seconds) == var.on_failure_queue.kms_data_key_reuse_period_seconds
    error_message = "The on_failure_queue.kms_data_key_reuse_period_seconds must be a whole number from 60 to 86400."
  }
}

################################################################################
# Amazon Connect
################################################################################

variable "connect_instance_arn" {
  description = "ARN of the Amazon Connect instance (arn:<partition>:connect:<region>:<account>:instance/<id>) to associate the writer and checker with and publish the contact flow to; null (default) creates no Connect resource (the flow JSON is still rendered)."
  type        = string
  default     = null

  validation {
    condition     = var.connect_instance_arn == null || can(regex("^arn:aws[a-zA-Z-]*:connect:[a-z0-9-]+:[0-9]{12}:instance/[A-Za-z0-9-]{1,100}$", coalesce(var.connect_instance_arn, "-")))
    error_message = "The connect_instance_arn must be null or an Amazon Connect instance ARN (arn:<partition>:connect:<region>:<account>:instance/<instance-id>)."
  }
}

variable "create_connect_resources" {
  description = "Whether to create the Connect resources (invoke permissions, Lambda associations, contact flow): null (default) creates them exactly when connect_instance_arn is set; true or false decides explicitly, which is needed when the instance ARN is known only after apply (an aws_connect_instance in the same configuration). true requires connect_instance_arn."
  type        = bool
  default     = null

  validation {
    condition     = var.create_connect_resources != true || var.connect_instance_arn != null
    error_message = "The create_connect_resources input is true but connect_instance_arn is null: give the instance ARN, or set create_connect_resources to null or false."
  }
}

variable "contact_flow" {
  description = <<-EOT
    The contact flow (see modules/contact-flow for the inputs):
    create: true (default) or false: publish the module's own contact flow (with the Connect resources, so only
      with connect_instance_arn); false publishes no flow of ours, only the flow module when contact_flow_module.create
      (docs/flow-module.md), and keeps the Lambda associations your own flows need; the flow JSON is rendered either way;
    name: null (default "<name>-async-tracker") or 1-127 characters;
    description: up to 500 characters;
    holding: what a voice caller hears between polls and how often the contact is reassured
      (modules/contact-flow's holding input): prompt_id (null: silence) with prompt_seconds,
      silence_seconds (default 0.5), reassurance_interval_seconds (default 25);
    poll_interval_seconds, poll_count: removed (must stay unset): the checker waits for the
      result within each poll, which paces the polls, and the number of polls follows from
      request_deadline_seconds;
    invocation_time_limit_seconds: Lambda time limit of the flow's blocks, 1-8 (default 8), at least functions.writer.timeout and functions.checker.timeout;
    task_name: null (writer uses default_task) or the task the flow requests;
    task_parameters: map of parameter name -> literal or flow reference such as "$.CustomerEndpoint.Address";
    result_fields: result fields copied into contact attributes and spoken in the thank-you prompt;
    prompts: greeting, holding, thank_you_prefix, apology (non-empty texts; unset ones take modules/contact-flow's defaults).
  EOT
  type = object({
    create      = optional(bool, true)
    name        = optional(string)
    description = optional(string, "Asynchronous tracker: request slow work, keep the caller company, poll for the result.")
    holding = optional(object({
      prompt_id                    = optional(string)
      prompt_seconds               = optional(number)
      silence_seconds              = optional(number)
      reassurance_interval_seconds = optional(number)
    }), {})
    # Removed: kept only so that a caller still setting them gets an error, not silence.
    poll_interval_seconds         = optional(number)
    poll_count                    = optional(number)
    invocation_time_limit_seconds = optional(number, 8)
    task_name                     = optional(string)
    task_parameters               = optional(map(string), {})
    result_fields                 = optional(list(string), [])
    # Unset prompts are left null: modules/contact-flow's defaults apply.
    prompts = optional(object({
      greeting         = optional(string)
      holding          = optional(string)
      thank_you_prefix = optional(string)
      apology          = optional(string)
    }), {})
  })
  default  = {}
  nullable = false

  validation {
    condition     = var.contact_flow.name == null || try(length(var.contact_flow.name) >= 1 && length(var.contact_flow.name) <= 127, false)
    error_message = "The contact_flow.name must be null or 1-127 characters."
  }
  validation {
    condition     = length(var.contact_flow.description) <= 500
    error_message = "The contact_flow.description must be at most 500 characters."
  }
  validation {
    condition     = var.contact_flow.poll_count == null && var.contact_flow.poll_interval_seconds == null
    error_message = "The contact_flow.poll_count and contact_flow.poll_interval_seconds inputs were removed: each poll waits in the checker for the result (checker_wait_seconds), the holding between polls is contact_flow.holding, and the number of polls follows from request_deadline_seconds. Remove them."
  }
  validation {
    condition     = var.contact_flow.invocation_time_limit_seconds >= 1 && var.contact_flow.invocation_time_limit_seconds <= 8 && floor(var.contact_flow.invocation_time_limit_seconds) == var.contact_flow.invocation_time_limit_seconds
    error_message = "The contact_flow.invocation_time_limit_seconds must be a whole number from 1 to 8."
  }
}

variable "contact_flow_module" {
  description = <<-EOT
    The tracker as an Amazon Connect flow module (aws_connect_contact_flow_module; docs/flow-module.md):
    create: false (default) or true: publish the module (with the Connect resources, so only with
      connect_instance_arn) and make the module's own flow invoke it instead of polling inline;
      your own inbound flows can invoke it too, passing TrackerTaskName, TrackerRequestKey and the
      contact_flow.task_parameters attributes in and reading TrackerStatus and the result fields back;
    name: null (default "<name>-async-tracker-module") or 1-127 characters;
    description: up to 500 characters.
    The module polls as the flow does (contact_flow.holding, request_deadline_seconds)
    and passes contact_flow.task_parameters to the writer and copies contact_flow.result_fields back.
  EOT
  type = object({
    create      = optional(bool, false)
    name        = optional(string)
    description = optional(string, "Asynchronous tracker: starts the task named by contact attribute TrackerTaskName, waits for it, returns TrackerStatus and the result fields as contact attributes.")
  })
  default  = {}
  nullable = false

  validation {
    condition     = var.contact_flow_module.name == null || try(length(var.contact_flow_module.name) >= 1 && length(var.contact_flow_module.name) <= 127, false)
    error_message = "The contact_flow_module.name must be null or 1-127 characters."
  }
  validation {
    condition     = length(var.contact_flow_module.description) <= 500
    error_message = "The contact_flow_module.description must be at most 500 characters."
  }
  validation {
    condition     = !var.contact_flow_module.create || var.connect_instance_arn != null
    error_message = "The contact_flow_module.create input is true but connect_instance_arn is null: a flow module is published to a Connect instance, so give its ARN or leave contact_flow_module.create false."
  }
}

################################################################################
# Alarms and dashboard (alarms.tf, docs/alarms.md)
################################################################################

variable "alarms" {
  description = <<-EOT
    CloudWatch alarms of the tracker (docs/alarms.md):
    create: true (default) or false: the on-failure queue's depth, the stream's iterator age, the errors and throttles of every function, the async event age and dropped events of asynchronously invoked functions, the failed deliveries to the on-failure queue (processor and worker), the checker's UNKNOWN answers and the writer's failures (metric filters on the JSON logs);
    period_seconds: 10, 20, 30 or a multiple of 60 (default 60; Lambda and SQS publish one-minute metrics, so below 60 only on an emulator);
    evaluation_periods: a whole number >= 1 (default 1); period_seconds x evaluation_periods at most 86400, or 604800 with periods of an hour or more;
    datapoints_to_alarm: null (default: evaluation_periods) or a whole number from 1 to evaluation_periods;
    thresholds (an alarm fires at or above its threshold): on_failure_queue_messages (default 1), function_errors (default 1), function_throttles (default 1), async_events_dropped (default 1), destination_delivery_failures (default 1), checker_unknown_answers (default 1), writer_failures (default 1): whole numbers >= 1; stream_iterator_age_ms (default 60000) and async_event_age_ms (default 60000): whole milliseconds >= 1.
  EOT
  type = object({
    create              = optional(bool, true)
    period_seconds      = optional(number, 60)
    evaluation_periods  = optional(number, 1)
    datapoints_to_alarm = optional(number)
    thresholds = optional(object({
      on_failure_queue_messages     = optional(number, 1)
      stream_iterator_age_ms        = optional(number, 60000)
      function_errors               = optional(number, 1)
      function_throttles            = optional(number, 1)
      async_event_age_ms            = optional(number, 60000)
      async_events_dropped          = optional(number, 1)
      destination_delivery_failures = optional(number, 1)
      checker_unknown_answers       = optional(number, 1)
      writer_failures               = optional(number, 1)
    }), {})
  })
  default  = {}
  nullable = false

  # PutMetricAlarm's limits: https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/API_PutMetricAlarm.html
  validation {
    condition     = contains([10, 20, 30], var.alarms.period_seconds) || (var.alarms.period_seconds >= 60 && var.alarms.period_seconds % 60 == 0)
    error_message = "The alarms.period_seconds must be 10, 20, 30 or a multiple of 60."
  }
  validation {
    condition     = var.alarms.evaluation_periods >= 1 && floor(var.alarms.evaluation_periods) == var.alarms.evaluation_periods && var.alarms.period_seconds * var.alarms.evaluation_periods <= (var.alarms.period_seconds >= 3600 ? 604800 : 86400)
    error_message = "The alarms.evaluation_periods must be a whole number >= 1, and alarms.period_seconds x alarms.evaluation_periods at most 86400 (604800 with periods of 3600 or more)."
  }
  validation {
    condition     = var.alarms.datapoints_to_alarm == null || try(var.alarms.datapoints_to_alarm >= 1 && var.alarms.datapoints_to_alarm <= var.alarms.evaluation_periods && floor(var.alarms.datapoints_to_alarm) == var.alarms.datapoints_to_alarm, false)
    error_message = "The alarms.datapoints_to_alarm must be null or a whole number from 1 to alarms.evaluation_periods."
  }
  validation {
    condition = alltrue([
      for name, value in var.alarms.thresholds : value >= 1 && floor(value) == value
    ])
    error_message = "Every alarms.thresholds.<name> must be a whole number >= 1 (counts, or milliseconds for stream_iterator_age_ms and async_event_age_ms)."
  }
}

variable "alarm_actions" {
  description = "ARNs notified or run when an alarm enters ALARM, at most 5 (docs/alarms.md): SNS topics (arn:<partition>:sns:<region>:<account>:<topic>), Lambda functions, versions or aliases (arn:<partition>:lambda:<region>:<account>:function:<name>[:<version-or-alias>]), Systems Manager OpsItems (arn:<partition>:ssm:<region>:<account>:opsitem:<severity 1-4>[#CATEGORY=<category>]), Incident Manager response plans (arn:<partition>:ssm-incidents::<account>:response-plan/<name>), Auto Scaling policies (arn:<partition>:autoscaling:<region>:<account>:scalingPolicy:<id>:...:policyName/<name>) or investigation groups (arn:<partition>:aiops:<region>:<account>:investigation-group:<id>); EC2 actions are refused (they need an alarm on an EC2 instance's metric). Empty (default) notifies nobody."
  type        = list(string)
  default     = []
  nullable    = false

  validation {
    condition     = length(var.alarm_actions) <= 5
    error_message = "The alarm_actions may hold at most 5 ARNs (PutMetricAlarm's AlarmActions limit); it holds ${length(var.alarm_actions)}."
  }
  validation {
    condition     = alltrue([for arn in var.alarm_actions : anytrue([for kind, pattern in local.alarm_action_patterns : can(regex(pattern, arn))])])
    error_message = "The alarm_actions must hold only alarm action ARNs: an SNS topic (arn:<partition>:sns:<region>:<account>:<topic>), a Lambda function, version or alias (arn:<partition>:lambda:<region>:<account>:function:<name>[:<version-or-alias>]), a Systems Manager OpsItem action (arn:<partition>:ssm:<region>:<account>:opsitem:<severity 1-4>[#CATEGORY=Availability|Cost|Performance|Recovery|Security]), an Incident Manager response plan (arn:<partition>:ssm-incidents::<account>:response-plan/<name>), an Auto Scaling policy (arn:<partition>:autoscaling:<region>:<account>:scalingPolicy:<policy-id>:autoScalingGroupName/<group>:policyName/<policy>, or resource/<resource> for Application Auto Scaling) or an investigation group (arn:<partition>:aiops:<region>:<account>:investigation-group:<id>). EC2 actions (arn:<partition>:automate:<region>:ec2:... and AWS_EC2 swf actions) act on the instance an alarm watches, and these alarms watch Lambda, SQS and log metrics. Not accepted: ${join(", ", [for arn in var.alarm_actions : arn if !anytrue([for kind, pattern in local.alarm_action_patterns : can(regex(pattern, arn))])])}."
  }
}

variable "ok_actions" {
  description = "ARNs notified or run when an alarm returns to OK, at most 5: the forms alarm_actions takes except investigation groups, which CloudWatch starts only on ALARM. Empty (default) notifies nobody."
  type        = list(string)
  default     = []
  nullable    = false

  validation {
    condition     = length(var.ok_actions) <= 5
    error_message = "The ok_actions may hold at most 5 ARNs (PutMetricAlarm's OKActions limit); it holds ${length(var.ok_actions)}."
  }
  validation {
    condition     = alltrue([for arn in var.ok_actions : anytrue([for kind, pattern in local.alarm_action_patterns : can(regex(pattern, arn)) if kind != "investigation_group"])])
    error_message = "The ok_actions must hold only OK action ARNs: an SNS topic, a Lambda function, version or alias, a Systems Manager OpsItem action, an Incident Manager response plan or an Auto Scaling policy, in the forms alarm_actions describes (an investigation group starts only on ALARM; EC2 actions are refused). Not accepted: ${join(", ", [for arn in var.ok_actions : arn if !anytrue([for kind, pattern in local.alarm_action_patterns : can(regex(pattern, arn)) if kind != "investigation_group"])])}."
  }
}

variable "create_dashboard" {
  description = "Whether to create a CloudWatch dashboard (<name>-async-tracker) with the alarms and the metrics they watch: true or false (default). Needs alarms.create."
  type        = bool
  default     = false
  nullable    = false
}

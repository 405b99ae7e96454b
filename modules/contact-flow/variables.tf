variable "writer_function_arn" {
  description = "ARN of the writer Lambda function the flow invokes first (arn:<partition>:lambda:<region>:<account>:function:<name>)."
  type        = string

  validation {
    condition     = can(regex("^arn:aws[a-zA-Z-]*:lambda:[a-z0-9-]+:[0-9]{12}:function:[A-Za-z0-9_-]{1,64}(:[A-Za-z0-9$_-]+)?$", var.writer_function_arn))
    error_message = "The writer_function_arn must be a Lambda function ARN (arn:<partition>:lambda:<region>:<account>:function:<name>[:<qualifier>])."
  }
}

variable "checker_function_arn" {
  description = "ARN of the checker Lambda function the flow polls (arn:<partition>:lambda:<region>:<account>:function:<name>)."
  type        = string

  validation {
    condition     = can(regex("^arn:aws[a-zA-Z-]*:lambda:[a-z0-9-]+:[0-9]{12}:function:[A-Za-z0-9_-]{1,64}(:[A-Za-z0-9$_-]+)?$", var.checker_function_arn))
    error_message = "The checker_function_arn must be a Lambda function ARN (arn:<partition>:lambda:<region>:<account>:function:<name>[:<qualifier>])."
  }
}

variable "request_deadline_seconds" {
  description = "The tracker's request deadline in seconds (the root module's request_deadline_seconds, TRACKER_REQUEST_DEADLINE_SECONDS): a whole number from 1 to 86400 (default 120). The flow polls until the deadline has passed: ceil(request_deadline_seconds / checker_wait_seconds) + 2 polls, at most 100 (Connect's largest Loop count); a deadline longer than 98 checker waits adds a pause to each poll."
  type        = number
  default     = 120
  nullable    = false

  validation {
    condition     = var.request_deadline_seconds >= 1 && var.request_deadline_seconds <= 86400 && floor(var.request_deadline_seconds) == var.request_deadline_seconds
    error_message = "The request_deadline_seconds must be a whole number from 1 to 86400."
  }
}

variable "checker_wait_seconds" {
  description = "Seconds one checker invocation waits for its request to become terminal before it answers an open status (the root module's checker_wait_seconds, TRACKER_CHECKER_WAIT_SECONDS), for the flow's pacing: null (default: 3, or less when invocation_time_limit_seconds leaves less room) or a whole number from 0 to 4; 0: the checker answers at once, and each poll then pauses. Unless 0, checker_wait_seconds + 4 (one read attempt and a margin) must be at most invocation_time_limit_seconds. The flow polls again as soon as an invocation answers with an open request."
  type        = number
  default     = null

  validation {
    condition     = var.checker_wait_seconds == null || try(var.checker_wait_seconds >= 0 && var.checker_wait_seconds <= 4 && floor(var.checker_wait_seconds) == var.checker_wait_seconds, false)
    error_message = "The checker_wait_seconds must be null or a whole number from 0 to 4: Connect waits at most 8 s for the checker, and the wait needs 4 s beside it for one read attempt and a margin."
  }
  validation {
    condition     = var.checker_wait_seconds == null || try(var.checker_wait_seconds == 0 || var.checker_wait_seconds + 4 <= var.invocation_time_limit_seconds, false)
    error_message = "The checker_wait_seconds (${coalesce(var.checker_wait_seconds, 0)}) + 4 s (one read attempt of 3 s and a 1 s margin) must be at most invocation_time_limit_seconds (${var.invocation_time_limit_seconds}): Connect would stop waiting for the checker before it answers."
  }
}

variable "holding" {
  description = <<-EOT
    What a voice caller hears between polls, and how often the contact is reassured:
    prompt_id: null (default: silence) or the ARN or id of an audio prompt of the estate (music, a tone) played before each poll;
    prompt_seconds: the prompt's length in seconds, 1-600, required with prompt_id (the flow's timing counts it);
    silence_seconds: seconds of silence (SSML breaks) before each poll when there is no prompt, 0.1-10 (default 0.5);
    reassurance_interval_seconds: about how often the reassurance (prompts.holding) is spoken on voice and sent on chat, 10-300 (default 25); chat sends it at least every 20 s of Lambda time (Connect's limit on a chain of Lambda calls with no prompt between them).
  EOT
  type = object({
    prompt_id                    = optional(string)
    prompt_seconds               = optional(number)
    silence_seconds              = optional(number, 0.5)
    reassurance_interval_seconds = optional(number, 25)
  })
  default  = {}
  nullable = false

  validation {
    condition     = var.holding.prompt_id == null || try(length(var.holding.prompt_id) >= 1 && var.holding.prompt_seconds >= 1 && var.holding.prompt_seconds <= 600, false)
    error_message = "The holding.prompt_id needs holding.prompt_seconds, the prompt's length: a number of seconds from 1 to 600."
  }
  validation {
    condition     = var.holding.silence_seconds >= 0.1 && var.holding.silence_seconds <= 10
    error_message = "The holding.silence_seconds must be from 0.1 to 10."
  }
  validation {
    condition     = var.holding.reassurance_interval_seconds >= 10 && var.holding.reassurance_interval_seconds <= 300
    error_message = "The holding.reassurance_interval_seconds must be from 10 to 300."
  }
  validation {
    condition     = var.holding.prompt_id == null || try(var.holding.prompt_seconds >= ceil(var.request_deadline_seconds / 98) - coalesce(var.checker_wait_seconds, min(3, max(0, var.invocation_time_limit_seconds - 4))), false)
    error_message = "The holding.prompt_seconds is too short for request_deadline_seconds (${var.request_deadline_seconds}): each poll must last at least ceil(deadline / 98) s for Connect's largest Loop (100) to reach the deadline; use a longer prompt, or silence."
  }
}

variable "invocation_time_limit_seconds" {
  description = "Time limit of the flow's Lambda blocks in seconds: a whole number from 1 to 8 (default 8, the most Connect allows for a synchronous invocation)."
  type        = number
  default     = 8
  nullable    = false

  validation {
    condition     = var.invocation_time_limit_seconds >= 1 && var.invocation_time_limit_seconds <= 8 && floor(var.invocation_time_limit_seconds) == var.invocation_time_limit_seconds
    error_message = "The invocation_time_limit_seconds must be a whole number from 1 to 8."
  }
}

variable "task_name" {
  description = "Task the flow asks the writer for (passed as the TaskName parameter): null (default: the writer's default task) or 1-64 letters, digits, '_', '-' or '.'."
  type        = string
  default     = null

  validation {
    condition     = var.task_name == null || can(regex("^[A-Za-z][A-Za-z0-9_.-]{0,63}$", coalesce(var.task_name, "-")))
    error_message = "The task_name must be null or a letter followed by up to 63 letters, digits, '_', '-' or '.' (the writer refuses any other name)."
  }
}

variable "task_parameters" {
  description = "Parameters passed to the writer (and on to the task), by the flow and by the flow module: a map of name (1-128 letters, digits, '_', '-' or '.'; not TaskName) to value, either a literal string or a flow reference such as \"$.Attributes.AccountId\" or \"$.CustomerEndpoint.Address\". In the flow module, $.External holds nothing at the writer call (a module has its own), so pass data in contact attributes."
  type        = map(string)
  default     = {}
  nullable    = false

  validation {
    condition     = alltrue([for name in keys(var.task_parameters) : can(regex("^[A-Za-z0-9_.-]{1,128}$", name)) && name != "TaskName"])
    error_message = "Every key of task_parameters must be 1-128 characters of letters, digits, '_', '-' or '.', and not TaskName (set task_name instead)."
  }
}

variable "result_fields" {
  description = "Fields of the completed request's result (as the checker returns them) copied into contact attributes of the same name (by the flow, or by the flow module: flow_module_content) and spoken after the thank-you prefix: a list of unique names of 1-64 letters, digits and '_', other than Status, RequestId, ErrorCode, ErrorMessage and the flow module's Tracker* attributes."
  type        = list(string)
  default     = []
  nullable    = false

  validation {
    condition     = alltrue([for field in var.result_fields : can(regex("^[A-Za-z0-9_]{1,64}$", field)) && !contains(["Status", "RequestId", "ErrorCode", "ErrorMessage", "TrackerTaskName", "TrackerRequestKey", "TrackerStatus", "TrackerRequestId", "TrackerErrorCode", "TrackerErrorMessage"], field)]) && length(distinct(var.result_fields)) == length(var.result_fields)
    error_message = "The result_fields must be unique names of 1-64 letters, digits and '_', none of Status, RequestId, ErrorCode, ErrorMessage, nor the flow module's attributes TrackerTaskName, TrackerRequestKey, TrackerStatus, TrackerRequestId, TrackerErrorCode, TrackerErrorMessage."
  }
}

variable "prompts" {
  description = "Texts for the contact, each 1-1000 characters: greeting (played once the request is recorded, while the work runs), holding (the reassurance, spoken or sent about every holding.reassurance_interval_seconds), thank_you_prefix (before the result), apology (on any failure or when polling gives up)."
  type = object({
    greeting         = optional(string, "Thank you for calling. Let me look that up for you.")
    holding          = optional(string, "Still working on it, thank you for holding.")
    thank_you_prefix = optional(string, "Thank you for waiting.")
    apology          = optional(string, "Sorry, we could not complete your request right now. Please try again later.")
  })
  default  = {}
  nullable = false

  validation {
    condition     = alltrue([for text in values(var.prompts) : length(trimspace(text)) >= 1 && length(text) <= 1000])
    error_message = "Each of prompts.greeting, prompts.holding, prompts.thank_you_prefix and prompts.apology must be 1-1000 characters, not blank."
  }
}

variable "template_path" {
  description = "Path of the flow template rendered with templatefile(): null (default: flows/async_tracker.json.tftpl at the repository's top level, or flows/async_tracker_invoke_module.json.tftpl when invoke_flow_module is true) or the path of your own .json.tftpl taking the same template variables (see the README). The flow module's template is not replaceable."
  type        = string
  default     = null

  validation {
    condition     = var.template_path == null || try(fileexists(var.template_path) && endswith(var.template_path, ".tftpl"), false)
    error_message = "The template_path must be null or the path of an existing .tftpl file."
  }
}

variable "invoke_flow_module" {
  description = "Whether the flow (content) invokes the tracker's flow module (flow_module_content, published by you or the root module as an aws_connect_contact_flow_module) instead of requesting and polling itself: false (default) or true, which needs flow_module_id. A plain bool, known at plan time, because the module's id is not known before it is created. See docs/flow-module.md."
  type        = bool
  default     = false
  nullable    = false
}

variable "flow_module_id" {
  description = "The flow module the flow invokes when invoke_flow_module is true (InvokeFlowModule's FlowModuleId): null (default) or the module's id or ARN (aws_connect_contact_flow_module's contact_flow_module_id or arn)."
  type        = string
  default     = null

  validation {
    condition     = var.flow_module_id == null || can(regex("^([A-Za-z0-9-]{1,500}|arn:aws[a-zA-Z-]*:connect:[a-z0-9-]+:[0-9]{12}:instance/[A-Za-z0-9-]+/flow-module/[A-Za-z0-9-]+(:[A-Za-z0-9$_-]+)?)$", coalesce(var.flow_module_id, "-")))
    error_message = "The flow_module_id must be null, a flow module id (letters, digits, '-') or a flow module ARN (arn:<partition>:connect:<region>:<account>:instance/<id>/flow-module/<id>)."
  }
  validation {
    condition     = !var.invoke_flow_module || var.flow_module_id != null
    error_message = "The invoke_flow_module input is true but flow_module_id is null: give the module's id or ARN, or set invoke_flow_module to false."
  }
}

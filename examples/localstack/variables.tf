variable "endpoint" {
  description = "URL of the LocalStack sandbox every AWS service is called at."
  type        = string
  default     = "http://127.0.0.1:4566"
}

variable "region" {
  description = "Region the sandbox pretends to be."
  type        = string
  default     = "us-east-1"
}

variable "name" {
  description = "Prefix of every resource name (give each test run its own)."
  type        = string
  default     = "tracker-local"
}

variable "connect_instance_arn" {
  description = "ARN of a Connect instance the sandbox emulates, or null for no Connect resource."
  type        = string
  default     = null
}

variable "lambda_runtime" {
  description = "Runtime of the functions (the sandbox's executor must have the interpreter)."
  type        = string
  default     = "python3.13"
}

variable "lambda_architecture" {
  description = "Instruction set of the functions: x86_64 (default) or arm64."
  type        = string
  default     = "x86_64"
}

variable "python_executable" {
  description = "Interpreter that runs the packager at apply time (the module's python_executable)."
  type        = string
  default     = "python3"
}

variable "request_deadline_seconds" {
  description = "Seconds until an unfinished request is sealed TIMED_OUT."
  type        = number
  default     = 60
}

variable "simulated_delay_seconds" {
  description = "How long the built-in simulated_backend task works by default."
  type        = number
  default     = 2
}

variable "task_source_dir" {
  description = "Directory of extra task code packaged with the functions (the integration tests' own tasks), or null."
  type        = string
  default     = null
}

variable "task_modules" {
  description = "Importable modules in task_source_dir that register tasks."
  type        = list(string)
  default     = []
}

variable "create_connect_instance" {
  description = "Whether to create a Connect instance in the sandbox (its Connect emulation) and deploy the flow to it; true or false."
  type        = bool
  default     = false
}

variable "greeting_prompt" {
  description = "The flow's greeting (the integration tests change it to prove an in-place flow update)."
  type        = string
  default     = "Thank you for calling. Let me look that up for you."
}

variable "alarm_period_seconds" {
  description = "Period of the module's alarms in seconds: 60 as in AWS, or 10 or 30 so the sandbox's alarms change state sooner (the integration tests use 10)."
  type        = number
  default     = 60
}

variable "holding_prompt" {
  description = "What the contact hears while it waits (the integration tests change it to prove an in-place update of the flow module)."
  type        = string
  default     = "Still working on it, thank you for holding."
}

variable "create_contact_flow_module" {
  description = "Whether to publish the tracker as a flow module (the module's contact_flow_module.create), which the module's flow then invokes, and the two-lookups flow invoking it twice; true or false. Needs create_connect_instance."
  type        = bool
  default     = false

  validation {
    condition     = !var.create_contact_flow_module || var.create_connect_instance
    error_message = "The create_contact_flow_module input needs create_connect_instance = true (the flow module is published to the sandbox's instance)."
  }
}

variable "contact_flow_module_description" {
  description = "Description of the flow module (the integration tests change it to prove an in-place metadata update)."
  type        = string
  default     = "Asynchronous tracker: starts the task named by contact attribute TrackerTaskName, waits for it, returns TrackerStatus and the result fields as contact attributes."
}

variable "first_lookup_task" {
  description = "Task of the two-lookups flow's first call to the flow module: simulated_backend (default, a demo task) or a task of task_source_dir (the integration tests use one that answers just before the deadline)."
  type        = string
  default     = "simulated_backend"

  validation {
    condition     = can(regex("^[A-Za-z][A-Za-z0-9_.-]{0,63}$", var.first_lookup_task))
    error_message = "The first_lookup_task must be a task name: a letter followed by up to 63 letters, digits, '_', '-' or '.'."
  }
}

variable "second_lookup_task" {
  description = "Task of the two-lookups flow's second call to the flow module: simulated_backend (default, a demo task) or a task of task_source_dir (the integration tests use one)."
  type        = string
  default     = "simulated_backend"

  validation {
    condition     = can(regex("^[A-Za-z][A-Za-z0-9_.-]{0,63}$", var.second_lookup_task))
    error_message = "The second_lookup_task must be a task name: a letter followed by up to 63 letters, digits, '_', '-' or '.'."
  }
}

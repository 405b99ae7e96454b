variable "endpoint" {
  description = "URL of the LocalStack sandbox every AWS service is called at."
  type        = string
  default     = "http://127.0.0.1:4566"
}

variable "name" {
  description = "Prefix of every resource name (give each test run its own)."
  type        = string
}

variable "request_deadline_seconds" {
  description = "Seconds until an unfinished request is sealed TIMED_OUT (the module's input; issue 10's proof uses 120)."
  type        = number
  default     = 120
}

variable "lambda_runtime" {
  description = "Runtime of the functions (the sandbox's executor must have the interpreter)."
  type        = string
  default     = "python3.13"
}

variable "python_executable" {
  description = "Interpreter that runs the packager at apply time (the module's python_executable)."
  type        = string
  default     = "python3"
}

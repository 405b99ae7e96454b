variable "endpoint" {
  description = "URL of the LocalStack sandbox every AWS service is called at."
  type        = string
  default     = "http://127.0.0.1:4566"
}

variable "name" {
  description = "Prefix of every resource name (give each test run its own)."
  type        = string
}

variable "backend_url" {
  description = "Base URL of the slow HTTP backend the test serves on this host."
  type        = string
}

variable "backend_token" {
  description = "The bearer token the backend expects, stored in Secrets Manager."
  type        = string
  sensitive   = true
}

variable "requirements_file" {
  description = "The task's requirements file (examples/complete/requirements.txt, or one naming a package that does not exist)."
  type        = string
}

variable "request_deadline_seconds" {
  description = "Seconds until an unfinished request is sealed TIMED_OUT."
  type        = number
  default     = 60
}

variable "lambda_runtime" {
  description = "Runtime of the functions (the sandbox's executor must have the interpreter)."
  type        = string
  default     = "python3.13"
}

variable "python_executable" {
  description = "Interpreter that runs the packager at apply time (with pip: the requirements)."
  type        = string
  default     = "python3"
}

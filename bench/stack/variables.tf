variable "endpoint" {
  description = "URL of the sandbox (LocalStack) every AWS service is called at."
  type        = string
  default     = "http://127.0.0.1:4566"
}

variable "name" {
  description = "Prefix of every resource name."
  type        = string
  default     = "bench"
}

variable "floor_package_path" {
  description = "Zip of the no-op floor function (bench/floor/floor.py), built by the bench before apply."
  type        = string
}

variable "batch_size" {
  description = "Event source mapping batch size, for the processor and the floor alike."
  type        = number
  default     = 100
}

variable "maximum_batching_window_in_seconds" {
  description = "Event source mapping batching window, for the processor and the floor alike."
  type        = number
  default     = 0
}

variable "parallelization_factor" {
  description = "Event source mapping parallelization factor, for the processor and the floor alike."
  type        = number
  default     = 1
}

variable "consistent_read" {
  description = "Whether the checker reads with strongly consistent reads."
  type        = bool
  default     = true
}


variable "region" {
  description = "AWS region of the Amazon Connect instance (the tracker is deployed beside it)."
  type        = string
  default     = "eu-west-1"
}

variable "name" {
  description = "Prefix of every resource name."
  type        = string
  default     = "tracker-complete"
}

variable "connect_instance_arn" {
  description = "ARN of your Amazon Connect instance (arn:aws:connect:<region>:<account>:instance/<id>)."
  type        = string
}

variable "core_banking_url" {
  description = "https:// base URL of the core-banking backend the example task calls (in the worker's VPC)."
  type        = string
  default     = "https://core-banking.internal.example.com"
}

variable "core_banking_token_secret_arn" {
  description = "ARN of the Secrets Manager secret holding the backend's bearer token (read by the worker only)."
  type        = string
}

variable "core_banking_token_kms_key_arn" {
  description = "ARN of the customer-managed KMS key encrypting that secret, or null for the aws/secretsmanager key."
  type        = string
  default     = null
}

variable "core_banking_concurrency" {
  description = "Calls the backend takes at once: the worker's reserved concurrency."
  type        = number
  default     = 20
}

variable "worker_subnet_ids" {
  description = "Private subnets the worker runs in, beside the backend (subnet-...)."
  type        = list(string)
}

variable "worker_security_group_ids" {
  description = "Security groups of the worker's network interfaces (sg-...): egress to the backend and the VPC endpoints."
  type        = list(string)
}

variable "worker_layers" {
  description = "Lambda layer version ARNs your estate publishes for the worker (at most 5), e.g. a CA bundle."
  type        = list(string)
  default     = []
}

variable "role_permissions_boundary" {
  description = "ARN of a permissions boundary for the roles, or null."
  type        = string
  default     = null
}

variable "deletion_protection" {
  description = "Whether the tracker table is protected from deletion (set false before destroying)."
  type        = bool
  default     = false
}

variable "tags" {
  description = "Tags for every resource."
  type        = map(string)
  default = {
    Project = "connect-async-tracker"
    Example = "complete"
  }
}

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

variable "balance_api_url" {
  description = "https:// base URL of the balance backend the example task calls."
  type        = string
  default     = "https://balance.example.com"
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

# Resource-free: renders the flow JSON only, so it needs no provider.
# 1.9: the checker_wait_seconds and holding validations refer to other variables.
terraform {
  required_version = ">= 1.9"
}

# Resource-free: renders the flow JSON only, so it needs no provider.
terraform {
  required_version = ">= 1.7"
}

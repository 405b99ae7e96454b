# Resource-free: renders the flow JSON only, so it needs no provider.
# 1.9: the request_deadline_seconds validation refers to poll_interval_seconds.
terraform {
  required_version = ">= 1.9"
}

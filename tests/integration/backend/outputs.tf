output "tracker" {
  description = "The module's outputs."
  value       = module.tracker
}

output "subnet_id" {
  description = "The worker's subnet."
  value       = aws_subnet.workers.id
}

output "security_group_id" {
  description = "The worker's security group."
  value       = aws_security_group.worker.id
}

output "vpc_id" {
  description = "The VPC the subnet belongs to."
  value       = aws_vpc.backend.id
}

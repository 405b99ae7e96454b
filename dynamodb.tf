resource "aws_dynamodb_table" "this" {
  count = local.create ? 1 : 0

  #checkov:skip=CKV2_AWS_16:On-demand billing by default needs no auto scaling; with PROVISIONED the capacity is the caller's choice (var.table).
  #checkov:skip=CKV_AWS_28:PITR is on by default (var.table.point_in_time_recovery = true); checkov cannot resolve defaults of optional object attributes, and records expire within a day by default anyway.

  name                        = local.table_name
  billing_mode                = var.table.billing_mode
  read_capacity               = var.table.billing_mode == "PROVISIONED" ? var.table.read_capacity : null
  write_capacity              = var.table.billing_mode == "PROVISIONED" ? var.table.write_capacity : null
  table_class                 = var.table.table_class
  deletion_protection_enabled = var.table.deletion_protection
  hash_key                    = "RequestId"

  attribute {
    name = "RequestId"
    type = "S"
  }

  # The processor is triggered by new items only; NEW_IMAGE carries everything it needs.
  stream_enabled   = true
  stream_view_type = "NEW_IMAGE"

  ttl {
    attribute_name = "ExpiresAt"
    enabled        = true
  }

  # Without a customer-managed key, the AWS-managed aws/dynamodb key (not the AWS-owned one).
  server_side_encryption {
    enabled     = true
    kms_key_arn = local.kms_key_arn
  }

  point_in_time_recovery {
    enabled = var.table.point_in_time_recovery
  }

  tags = local.tags

  # The packager's interpreter check runs before anything is created (packaging.tf).
  depends_on = [terraform_data.package]
}

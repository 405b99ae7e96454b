# The deployment package's S3 staging (package_bucket): the zip is uploaded once per package
# hash, and the functions are created and updated from the object, so no function ever
# needs the local file after the apply that built it (packaging.tf explains when the
# build runs). Lambda copies the code at CreateFunction/UpdateFunctionCode: the object is
# read by the deploying principal's calls, never by the functions' roles, which get no S3
# permission. https://docs.aws.amazon.com/lambda/latest/api/API_FunctionCode.html

locals {
  # A bucket_prefix is at most 37 characters; S3 names take no '_' or upper case.
  package_bucket_prefix = "${substr(lower(replace(var.name, "_", "-")), 0, 28)}-package-"
  package_bucket_id     = local.stage_package ? (local.create_package_store ? aws_s3_bucket.package[0].id : var.package_bucket.bucket_name) : null
}

resource "aws_s3_bucket" "package" {
  count = local.create_package_store ? 1 : 0

  #checkov:skip=CKV_AWS_18:Access logs need a log bucket this module does not own; the bucket holds only deployment packages, written by Terraform.
  #checkov:skip=CKV_AWS_144:Cross-region replication of a package Terraform rebuilds from source on demand buys nothing.
  #checkov:skip=CKV2_AWS_62:No consumer of event notifications: only Terraform writes and Lambda reads the packages.
  #checkov:skip=CKV_AWS_145:Encrypted with kms_key_arn when one is given, else SSE-S3 (the module's other resources follow the same choice).

  bucket        = var.package_bucket.bucket_name
  bucket_prefix = var.package_bucket.bucket_name == null ? local.package_bucket_prefix : null
  force_destroy = var.package_bucket.force_destroy

  tags = local.tags

  # The packager's interpreter check runs before anything is created (packaging.tf).
  depends_on = [terraform_data.package]
}

resource "aws_s3_bucket_public_access_block" "package" {
  count = local.create_package_store ? 1 : 0

  bucket                  = aws_s3_bucket.package[0].id
  block_public_acls       = true
  block_public_policy     = true
  ignore_public_acls      = true
  restrict_public_buckets = true
}

resource "aws_s3_bucket_ownership_controls" "package" {
  count = local.create_package_store ? 1 : 0

  bucket = aws_s3_bucket.package[0].id
  rule {
    object_ownership = "BucketOwnerEnforced"
  }
}

resource "aws_s3_bucket_versioning" "package" {
  count = local.create_package_store ? 1 : 0

  bucket = aws_s3_bucket.package[0].id
  versioning_configuration {
    status = "Enabled"
  }
}

resource "aws_s3_bucket_server_side_encryption_configuration" "package" {
  count = local.create_package_store ? 1 : 0

  bucket = aws_s3_bucket.package[0].id
  rule {
    apply_server_side_encryption_by_default {
      sse_algorithm     = local.kms_key_arn == null ? "AES256" : "aws:kms"
      kms_master_key_id = local.kms_key_arn
    }
    bucket_key_enabled = local.kms_key_arn != null
  }
}

resource "aws_s3_bucket_lifecycle_configuration" "package" {
  count = local.create_package_store ? 1 : 0

  bucket = aws_s3_bucket.package[0].id

  # A package replaced by a new hash stays recoverable for a while, then goes.
  rule {
    id     = "expire-replaced-packages"
    status = "Enabled"
    filter {}
    noncurrent_version_expiration {
      noncurrent_days = 30
    }
    abort_incomplete_multipart_upload {
      days_after_initiation = 1
    }
  }

  depends_on = [aws_s3_bucket_versioning.package]
}

resource "aws_s3_bucket_policy" "package" {
  count = local.create_package_store ? 1 : 0

  bucket = aws_s3_bucket.package[0].id
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Sid       = "DenyInsecureTransport"
      Effect    = "Deny"
      Principal = "*"
      Action    = "s3:*"
      Resource  = [aws_s3_bucket.package[0].arn, "${aws_s3_bucket.package[0].arn}/*"]
      Condition = { Bool = { "aws:SecureTransport" = "false" } }
    }]
  })

  depends_on = [aws_s3_bucket_public_access_block.package]
}

resource "aws_s3_object" "package" {
  count = local.stage_package ? 1 : 0

  bucket       = local.package_bucket_id
  key          = local.package_object_key
  source       = local.package_path
  content_type = "application/zip"

  tags = local.tags

  # Built first (the build's triggers cover this object's key and bucket); stored only
  # once the bucket is private and encrypted.
  depends_on = [
    terraform_data.package,
    aws_s3_bucket_public_access_block.package,
    aws_s3_bucket_ownership_controls.package,
    aws_s3_bucket_server_side_encryption_configuration.package,
    aws_s3_bucket_versioning.package,
    aws_s3_bucket_policy.package,
  ]
}

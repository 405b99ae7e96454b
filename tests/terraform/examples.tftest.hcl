# examples/complete as a test: it plans, so its inputs (the VPC, the secret, the
# requirements file, the statement, the limits) pass every check of the module. Plan-only
# with a mocked provider (the example's own provider and data sources are mocked too).

mock_provider "aws" {
  override_during = plan

  mock_data "aws_partition" {
    defaults = { partition = "aws" }
  }
  mock_data "aws_region" {
    defaults = { name = "eu-west-2" }
  }
  mock_data "aws_caller_identity" {
    defaults = { account_id = "111122223333" }
  }
  mock_resource "aws_kms_key" {
    defaults = { arn = "arn:aws:kms:eu-west-2:111122223333:key/11111111-2222-4333-8444-555555555555" }
  }
  mock_resource "aws_sns_topic" {
    defaults = { arn = "arn:aws:sns:eu-west-2:111122223333:tracker-complete-alarms" }
  }
}

run "complete" {
  command = plan

  module {
    source = "./examples/complete"
  }

  variables {
    connect_instance_arn          = "arn:aws:connect:eu-west-2:111122223333:instance/aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee"
    core_banking_token_secret_arn = "arn:aws:secretsmanager:eu-west-2:111122223333:secret:core-banking/token-AbCdEf"
    worker_subnet_ids             = ["subnet-0123456789abcdef0", "subnet-0fedcba9876543210"]
    worker_security_group_ids     = ["sg-0123456789abcdef0"]
  }

  assert {
    condition     = output.tracker_table_name == "tracker-complete-tracker"
    error_message = "The example deploys the tracker under its name."
  }
}

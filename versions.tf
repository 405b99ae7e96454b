# The lowest versions this module really needs, and why. tests/unit/test_version_floors.py
# knows each construct below and its first version, scans every .tf file, and fails when
# one needs more than is declared here (or in an example's versions.tf).
#
# Terraform >= 1.9
#   - variable validations that refer to other variables (log_parameters_in_clear and
#     sensitive_parameters, default_task and enable_demo_tasks, ...): 1.9.0
#   - terraform_data (the package build step): 1.4.0; optional() object attributes with
#     defaults, startswith()/endswith(): 1.3.0; preconditions: 1.2.0
#   (the terraform tests' mock_provider needs 1.7, below this floor)
#
# hashicorp/aws >= 5.76
#   - runtime "python3.13", the default lambda_runtime: the provider checks runtimes against
#     the AWS SDK's list; 5.75.1 refused python3.13 (hashicorp/terraform-provider-aws#40107,
#     2024-11-13) and 5.76.0 (2024-11-14) is the next release. Set lambda_runtime to
#     python3.12 and 5.70 would do; the floor covers the default.
#   - tags on aws_lambda_event_source_mapping: 5.70.0 (#39535)
#   - source_code_hash kept as configured instead of compared with Lambda's CodeSha256:
#     5.51.0 (#37669). Before it, the hash of the sources (not of the zip) showed a code
#     update on every plan, and every fresh-checkout apply re-read the package.
#   - logging_config on aws_lambda_function (JSON logs, log levels): 5.32.0 (#35050)
#   Every other argument in use predates 5.0.0.
terraform {
  required_version = ">= 1.9"

  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = ">= 5.76"
    }
  }
}

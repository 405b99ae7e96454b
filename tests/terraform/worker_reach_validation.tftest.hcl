# Every check of the worker's reach inputs (issue 19) rejects a bad value; each message
# names its input (tests/unit/test_variables.py). Plan-only with a mocked provider.

mock_provider "aws" {}

variables {
  name = "test"
}

run "worker_vpc_config_without_subnets" {
  command = plan
  variables {
    worker_vpc_config = { subnet_ids = [], security_group_ids = ["sg-01234567"] }
  }
  expect_failures = [var.worker_vpc_config]
}

run "worker_vpc_config_subnet_not_an_id" {
  command = plan
  variables {
    worker_vpc_config = { subnet_ids = ["subnet-xyz"], security_group_ids = ["sg-01234567"] }
  }
  expect_failures = [var.worker_vpc_config]
}

run "worker_vpc_config_security_group_as_subnet" {
  command = plan
  variables {
    worker_vpc_config = { subnet_ids = ["sg-01234567"], security_group_ids = ["sg-01234567"] }
  }
  expect_failures = [var.worker_vpc_config]
}

run "worker_vpc_config_without_security_groups" {
  command = plan
  variables {
    worker_vpc_config = { subnet_ids = ["subnet-01234567"], security_group_ids = [] }
  }
  expect_failures = [var.worker_vpc_config]
}

run "worker_vpc_config_six_security_groups" {
  command = plan
  variables {
    worker_vpc_config = { subnet_ids = ["subnet-01234567"], security_group_ids = ["sg-00000001", "sg-00000002", "sg-00000003", "sg-00000004", "sg-00000005", "sg-00000006"] }
  }
  expect_failures = [var.worker_vpc_config]
}

run "worker_vpc_config_security_group_name" {
  command = plan
  variables {
    worker_vpc_config = { subnet_ids = ["subnet-01234567"], security_group_ids = ["default"] }
  }
  expect_failures = [var.worker_vpc_config]
}

run "task_secrets_lower_case_name" {
  command = plan
  variables {
    task_secrets = { token = "arn:aws:secretsmanager:eu-west-1:111122223333:secret:token-AbCdEf" }
  }
  expect_failures = [var.task_secrets]
}

run "task_secrets_partial_secret_arn" {
  command = plan
  variables {
    task_secrets = { TOKEN = "arn:aws:secretsmanager:eu-west-1:111122223333:secret:token" }
  }
  expect_failures = [var.task_secrets]
}

run "task_secrets_secret_name_not_arn" {
  command = plan
  variables {
    task_secrets = { TOKEN = "backend/token" }
  }
  expect_failures = [var.task_secrets]
}

run "task_secrets_other_service" {
  command = plan
  variables {
    task_secrets = { TOKEN = "arn:aws:s3:::bucket/token" }
  }
  expect_failures = [var.task_secrets]
}

run "task_secrets_kms_key_alias" {
  command = plan
  variables {
    task_secrets             = { TOKEN = "arn:aws:ssm:eu-west-1:111122223333:parameter/token" }
    task_secrets_kms_key_arn = "alias/secrets"
  }
  expect_failures = [var.task_secrets_kms_key_arn]
}

run "task_secrets_kms_key_without_secrets" {
  command = plan
  variables {
    task_secrets_kms_key_arn = "arn:aws:kms:eu-west-1:111122223333:key/11111111-2222-4333-8444-555555555555"
  }
  expect_failures = [var.task_secrets_kms_key_arn]
}

run "task_requirements_file_missing" {
  command = plan
  variables {
    task_requirements_file = "./tests/terraform/fixtures/requirements/no-such-file.txt"
  }
  expect_failures = [var.task_requirements_file]
}

run "worker_layers_six" {
  command = plan
  variables {
    worker_layers = [for n in range(6) : "arn:aws:lambda:eu-west-1:111122223333:layer:layer${n}:1"]
  }
  expect_failures = [var.worker_layers]
}

run "worker_layers_without_version" {
  command = plan
  variables {
    worker_layers = ["arn:aws:lambda:eu-west-1:111122223333:layer:client"]
  }
  expect_failures = [var.worker_layers]
}

run "worker_layers_one_layer_twice" {
  command = plan
  variables {
    worker_layers = ["arn:aws:lambda:eu-west-1:111122223333:layer:client:1", "arn:aws:lambda:eu-west-1:111122223333:layer:client:2"]
  }
  expect_failures = [var.worker_layers]
}

run "worker_policy_statements_sid_with_dash" {
  command = plan
  variables {
    worker_policy_statements = { "read-statements" = { actions = ["s3:GetObject"], resources = ["arn:aws:s3:::b/*"] } }
  }
  expect_failures = [var.worker_policy_statements]
}

run "worker_policy_statements_effect" {
  command = plan
  variables {
    worker_policy_statements = { Read = { effect = "allow", actions = ["s3:GetObject"], resources = ["arn:aws:s3:::b/*"] } }
  }
  expect_failures = [var.worker_policy_statements]
}

run "worker_policy_statements_no_actions" {
  command = plan
  variables {
    worker_policy_statements = { Read = { actions = [], resources = ["arn:aws:s3:::b/*"] } }
  }
  expect_failures = [var.worker_policy_statements]
}

run "worker_policy_statements_action_without_service" {
  command = plan
  variables {
    worker_policy_statements = { Read = { actions = ["GetObject"], resources = ["arn:aws:s3:::b/*"] } }
  }
  expect_failures = [var.worker_policy_statements]
}

run "worker_policy_statements_resource_not_arn" {
  command = plan
  variables {
    worker_policy_statements = { Read = { actions = ["s3:GetObject"], resources = ["b/*"] } }
  }
  expect_failures = [var.worker_policy_statements]
}

run "worker_policy_statements_condition_without_values" {
  command = plan
  variables {
    worker_policy_statements = { Read = { actions = ["s3:GetObject"], resources = ["arn:aws:s3:::b/*"], condition = [{ test = "StringEquals", variable = "aws:SourceVpce", values = [] }] } }
  }
  expect_failures = [var.worker_policy_statements]
}

run "worker_policy_statements_condition_twice" {
  command = plan
  variables {
    worker_policy_statements = { Read = { actions = ["s3:GetObject"], resources = ["arn:aws:s3:::b/*"], condition = [
      { test = "StringEquals", variable = "aws:SourceVpce", values = ["vpce-1"] },
      { test = "StringEquals", variable = "aws:SourceVpce", values = ["vpce-2"] },
    ] } }
  }
  expect_failures = [var.worker_policy_statements]
}

run "worker_concurrency_below_minus_one" {
  command = plan
  variables {
    functions = { worker = { reserved_concurrent_executions = -2 } }
  }
  expect_failures = [var.functions]
}

"""The services the worker's reach needs (issue 19): EC2 for worker_vpc_config, Secrets
Manager and SSM for task_secrets, served by the sandbox as the module and the worker call
them; a function's VpcConfig is checked against the sandbox's EC2."""

from __future__ import annotations

import uuid
from typing import Any

import boto3
import pytest
from sandbox_testkit import ROLE_ARN, client, invoke, make_zip

from tracker_sandbox.control import Sandbox

pytestmark = pytest.mark.sandbox


@pytest.fixture
def network(aws: boto3.Session, sandbox: Sandbox) -> Any:
    ec2 = client(aws, sandbox, "ec2")
    vpc = ec2.create_vpc(CidrBlock="10.77.0.0/16")["Vpc"]["VpcId"]
    subnet = ec2.create_subnet(VpcId=vpc, CidrBlock="10.77.1.0/24")["Subnet"]["SubnetId"]
    group = ec2.create_security_group(
        GroupName=f"sbx-{uuid.uuid4().hex[:8]}", Description="worker", VpcId=vpc
    )["GroupId"]
    yield {"vpc": vpc, "subnet": subnet, "group": group}
    ec2.delete_security_group(GroupId=group)
    ec2.delete_subnet(SubnetId=subnet)
    ec2.delete_vpc(VpcId=vpc)


def test_secrets_and_parameters_are_read_by_arn(aws: boto3.Session, sandbox: Sandbox) -> None:
    name = f"sbx/{uuid.uuid4().hex[:8]}"
    manager = client(aws, sandbox, "secretsmanager")
    arn = manager.create_secret(Name=name, SecretString="t0ken")["ARN"]
    ssm = client(aws, sandbox, "ssm")
    ssm.put_parameter(Name=f"/{name}/pin", Value="4321", Type="SecureString")
    parameter = ssm.get_parameter(Name=f"/{name}/pin")["Parameter"]["ARN"]
    try:
        assert manager.get_secret_value(SecretId=arn)["SecretString"] == "t0ken"
        answer = ssm.get_parameter(Name=parameter, WithDecryption=True)["Parameter"]
        assert answer["Value"] == "4321"
    finally:
        manager.delete_secret(SecretId=arn, ForceDeleteWithoutRecovery=True)
        ssm.delete_parameter(Name=f"/{name}/pin")


def test_a_function_in_a_vpc_is_checked_against_ec2_and_runs(
    aws: boto3.Session, sandbox: Sandbox, lambda_client: Any, network: dict[str, str]
) -> None:
    name = f"sbx-{uuid.uuid4().hex[:10]}"
    lambda_client.create_function(
        FunctionName=name,
        Runtime="python3.13",
        Role=ROLE_ARN,
        Handler="app.handler",
        Code={"ZipFile": make_zip({"app.py": "def handler(event, context):\n    return 'up'\n"})},
        VpcConfig={"SubnetIds": [network["subnet"]], "SecurityGroupIds": [network["group"]]},
    )
    try:
        lambda_client.get_waiter("function_active_v2").wait(
            FunctionName=name, WaiterConfig={"Delay": 1, "MaxAttempts": 30}
        )
        configured = lambda_client.get_function_configuration(FunctionName=name)["VpcConfig"]
        assert configured["VpcId"] == network["vpc"]  # looked up in the sandbox's EC2
        assert configured["SubnetIds"] == [network["subnet"]]
        assert invoke(lambda_client, name)["Body"] == "up"
    finally:
        lambda_client.delete_function(FunctionName=name)
    with pytest.raises(lambda_client.exceptions.InvalidParameterValueException):
        lambda_client.create_function(
            FunctionName=f"{name}-x",
            Runtime="python3.13",
            Role=ROLE_ARN,
            Handler="app.handler",
            Code={"ZipFile": make_zip({"app.py": "def handler(e, c):\n    return 1\n"})},
            VpcConfig={"SubnetIds": ["subnet-00000000deadbeef0"], "SecurityGroupIds": []},
        )

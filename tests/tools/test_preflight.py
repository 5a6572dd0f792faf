"""`make preflight` asks a target account what a first up needs, and says how to fix gaps.

Secrets Manager and EKS run on moto; moto does not implement Lambda's GetAccountSettings or
Account's GetRegionOptStatus, so those answers come from botocore's Stubber, with their real
response shapes. The endpoint check gets a stand-in connector: no test opens a connection.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from botocore.stub import Stubber
from moto import mock_aws

from settings import StackSettings, load_settings
from tools.preflight import Finding, run_checks

pytestmark = pytest.mark.moto

REGION = "ap-south-1"
SECRET = "arn:aws:secretsmanager:ap-south-1:123456789012:secret:eln-api-key-AbCdEf"


def _settings(**raw: str) -> StackSettings:
    return load_settings(
        {"environment": "prod", "alertEmails": '["oncall@example.org"]', **raw},
        aws_region=REGION,
    )


class Account:
    """boto3 clients: moto for what it implements, stubbed answers for the rest."""

    def __init__(self, opt_status: str, quota: int) -> None:
        self.stubs: list[Stubber] = []
        self.opt_status, self.quota = opt_status, quota

    def __call__(self, service: str, region: str) -> Any:
        client = boto3.client(service, region_name=region)  # type: ignore[call-overload]
        if service == "account":
            stub = Stubber(client)
            stub.add_response(
                "get_region_opt_status",
                {"RegionName": "ap-south-2", "RegionOptStatus": self.opt_status},
                {"RegionName": "ap-south-2"},
            )
            stub.activate()
            self.stubs.append(stub)
        if service == "lambda":
            stub = Stubber(client)
            stub.add_response(
                "get_account_settings", {"AccountLimit": {"ConcurrentExecutions": self.quota}}
            )
            stub.activate()
            self.stubs.append(stub)
        return client


@pytest.fixture
def aws() -> Iterator[None]:
    with mock_aws():
        yield


def _by_check(findings: list[Finding]) -> dict[str, Finding]:
    return {f.check: f for f in findings}


def _unreachable(host: str, port: int) -> None:
    raise OSError(f"timed out connecting to {host}:{port}")


def test_a_ready_account_passes_every_check(aws: None) -> None:
    """Region enabled, quota enough, no secret configured, no cluster yet: nothing missing."""
    account = Account("ENABLED", 1000)
    findings = run_checks(
        _settings(), account, reserved_concurrency=28, cluster_name="gen-prod-eks"
    )
    assert all(f.ok for f in findings), [f.render() for f in findings]
    assert "does not exist yet" in _by_check(findings)["cluster-endpoint"].detail
    for stub in account.stubs:
        stub.assert_no_pending_responses()


def test_a_disabled_dr_region_is_missing_with_the_enable_command(aws: None) -> None:
    finding = _by_check(
        run_checks(
            _settings(), Account("DISABLED", 1000), reserved_concurrency=28, cluster_name="c"
        )
    )["dr-region"]
    assert not finding.ok
    assert finding.fix == "aws account enable-region --region-name ap-south-2"


def test_a_quota_below_reservations_plus_100_asks_for_the_increase(aws: None) -> None:
    finding = _by_check(
        run_checks(_settings(), Account("ENABLED", 100), reserved_concurrency=28, cluster_name="c")
    )["lambda-concurrency"]
    assert not finding.ok
    assert "needs 128" in finding.detail
    assert "--quota-code L-B99A9384 --desired-value 128" in finding.fix


def test_a_named_secret_that_nobody_created_is_missing(aws: None) -> None:
    """The settings name the ELN key's secret; the account does not hold it."""
    settings = _settings(elnEndpoint="https://eln.example.org/api", elnApiKeySecretArn=SECRET)
    finding = _by_check(
        run_checks(settings, Account("ENABLED", 1000), reserved_concurrency=0, cluster_name="c")
    )["secret elnApiKeySecretArn"]
    assert not finding.ok
    assert "aws secretsmanager create-secret --region ap-south-1 --name eln-api-key" in finding.fix


def test_a_created_secret_is_present(aws: None) -> None:
    arn = boto3.client("secretsmanager", region_name=REGION).create_secret(
        Name="eln-api-key", SecretString="x"
    )["ARN"]
    settings = _settings(elnEndpoint="https://eln.example.org/api", elnApiKeySecretArn=arn)
    finding = _by_check(
        run_checks(settings, Account("ENABLED", 1000), reserved_concurrency=0, cluster_name="c")
    )["secret elnApiKeySecretArn"]
    assert finding.ok


def test_an_existing_cluster_must_be_reachable_on_443(aws: None) -> None:
    """Once the cluster exists, a runner that cannot open 443 to it is told what to allow."""
    eks = boto3.client("eks", region_name=REGION)
    eks.create_cluster(
        name="gen-prod-eks",
        roleArn="arn:aws:iam::123456789012:role/eks",
        resourcesVpcConfig={"subnetIds": ["subnet-1"]},
    )
    findings = run_checks(
        _settings(),
        Account("ENABLED", 1000),
        reserved_concurrency=0,
        cluster_name="gen-prod-eks",
        connect=_unreachable,
    )
    finding = _by_check(findings)["cluster-endpoint"]
    assert not finding.ok
    assert "cannot open TCP 443" in finding.detail
    assert "security group" in finding.fix
    opened: list[tuple[str, int]] = []
    again = run_checks(
        _settings(),
        Account("ENABLED", 1000),
        reserved_concurrency=0,
        cluster_name="gen-prod-eks",
        connect=lambda host, port: opened.append((host, port)),
    )
    assert _by_check(again)["cluster-endpoint"].ok
    assert opened[0][1] == 443

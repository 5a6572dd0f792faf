"""`make preflight`: read-only checks of a target account before a stack's first `pulumi up`.

Each check asks AWS one question the offline preview cannot answer, and prints what is
missing with the command that fixes it:

- the DR region is enabled (ap-south-2 is an opt-in region: "Regions launched after March 20,
  2019 are disabled by default", AWS Account Management);
- Lambda's concurrent-executions quota covers the stack's reservations plus the 100 that
  Lambda keeps unreserved (Lambda Developer Guide, *Configuring reserved concurrency*);
- every secret the settings name exists (the program and the sync workflow read them);
- the runner can open TCP 443 to the cluster's endpoint, once the cluster exists.

Nothing is created or changed. Exit codes: 0 all present, 1 something missing, 2 a settings,
credentials or usage error.
"""

from __future__ import annotations

import argparse
import socket
import sys
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final
from urllib.parse import urlparse

from botocore.exceptions import BotoCoreError, ClientError, NoCredentialsError

from contracts.facts import UNRESERVED_CONCURRENCY_MINIMUM
from settings import StackSettings

__all__ = ["Finding", "main", "run_checks"]

ROOT: Final = Path(__file__).resolve().parents[1]
LAMBDA_CONCURRENCY_QUOTA_CODE: Final = "L-B99A9384"
"""Service Quotas code of Lambda's *Concurrent executions*."""
ENABLED: Final = frozenset({"ENABLED", "ENABLED_BY_DEFAULT"})
SECRET_SETTINGS: Final = ("eln_api_key_secret_arn", "storage_gateway_ad_password_secret_arn")

Connector = Callable[[str, int], None]
"""Opens (and closes) a TCP connection, raising OSError when it cannot."""
ClientFactory = Callable[[str, str], Any]
"""(service, region) → a boto3 client."""


@dataclass(frozen=True, slots=True)
class Finding:
    """One check's outcome; `fix` is the command that resolves a missing item."""

    check: str
    ok: bool
    detail: str
    fix: str = ""

    def render(self) -> str:
        status = "ok     " if self.ok else "MISSING"
        line = f"{status} {self.check}: {self.detail}"
        return f"{line}\n        fix: {self.fix}" if self.fix and not self.ok else line


def _connect(host: str, port: int) -> None:
    with socket.create_connection((host, port), timeout=5):
        pass


def check_dr_region(settings: StackSettings, client: ClientFactory) -> Finding:
    status = client("account", settings.primary_region).get_region_opt_status(
        RegionName=settings.dr_region
    )["RegionOptStatus"]
    return Finding(
        "dr-region",
        status in ENABLED,
        f"{settings.dr_region} is {status}",
        f"aws account enable-region --region-name {settings.dr_region}",
    )


def check_lambda_quota(settings: StackSettings, client: ClientFactory, reserved: int) -> Finding:
    limit = client("lambda", settings.primary_region).get_account_settings()["AccountLimit"]
    quota = int(limit["ConcurrentExecutions"])
    needed = reserved + UNRESERVED_CONCURRENCY_MINIMUM
    return Finding(
        "lambda-concurrency",
        quota >= needed,
        f"quota {quota}, the stack reserves {reserved} and Lambda keeps "
        f"{UNRESERVED_CONCURRENCY_MINIMUM} unreserved (needs {needed})",
        "aws service-quotas request-service-quota-increase --service-code lambda "
        f"--quota-code {LAMBDA_CONCURRENCY_QUOTA_CODE} --desired-value {needed} "
        f"--region {settings.primary_region}",
    )


def check_secrets(settings: StackSettings, client: ClientFactory) -> list[Finding]:
    findings = []
    for field in SECRET_SETTINGS:
        arn = str(getattr(settings, field) or "")
        if not arn:
            continue
        region = arn.split(":")[3]
        key = StackSettings.model_fields[field].alias or field
        try:
            client("secretsmanager", region).describe_secret(SecretId=arn)
            findings.append(Finding(f"secret {key}", True, f"{arn} exists"))
        except ClientError as error:
            if error.response["Error"]["Code"] != "ResourceNotFoundException":
                raise
            name = arn.split(":")[6].rsplit("-", 1)[0]
            findings.append(
                Finding(
                    f"secret {key}",
                    False,
                    f"{arn} does not exist",
                    f"aws secretsmanager create-secret --region {region} --name {name} "
                    "--secret-string file://value.txt  (then set genomics:"
                    f"{key} to the ARN it prints)",
                )
            )
    return findings


def check_endpoint(
    settings: StackSettings, client: ClientFactory, cluster: str, connect: Connector
) -> Finding:
    try:
        described = client("eks", settings.primary_region).describe_cluster(name=cluster)
    except ClientError as error:
        if error.response["Error"]["Code"] != "ResourceNotFoundException":
            raise
        return Finding("cluster-endpoint", True, f"{cluster} does not exist yet (first up)")
    host = urlparse(described["cluster"]["endpoint"]).hostname or ""
    try:
        connect(host, 443)
    except OSError as error:
        return Finding(
            "cluster-endpoint",
            False,
            f"cannot open TCP 443 to {host} from here ({error})",
            "run from the in-VPC deploy runner, and let its security group reach the cluster "
            "security group on 443 (README, Deploying for real)",
        )
    return Finding("cluster-endpoint", True, f"TCP 443 to {host} opens")


def run_checks(
    settings: StackSettings,
    client: ClientFactory,
    *,
    reserved_concurrency: int,
    cluster_name: str,
    connect: Connector = _connect,
) -> list[Finding]:
    """Every check, in the order a first up needs them."""
    return [
        check_dr_region(settings, client),
        check_lambda_quota(settings, client, reserved_concurrency),
        *check_secrets(settings, client),
        check_endpoint(settings, client, cluster_name, connect),
    ]


def _reserved_and_cluster(stack: str) -> tuple[StackSettings, int, str]:
    """The stack's settings, its functions' reserved concurrency and its cluster's name."""
    from settings import settings_from_config
    from tools.preview.program import run_program
    from tools.preview.stack_config import load_project, load_stack_config

    config = load_stack_config(ROOT, stack)
    settings = settings_from_config(config)
    run = run_program(ROOT, load_project(ROOT).name, stack, config)
    reserved = sum(
        int(r.inputs.get("reservedConcurrentExecutions", 0) or 0)
        for r in run.resources
        if r.type == "aws:lambda/function:Function"
    )
    (cluster,) = [
        str(r.inputs["name"]) for r in run.resources if r.type == "aws:eks/cluster:Cluster"
    ]
    return settings, reserved, cluster


def _print(findings: Iterable[Finding]) -> int:
    listed = list(findings)
    for finding in listed:
        print(finding.render())
    missing = [f for f in listed if not f.ok]
    print(f"{len(listed) - len(missing)} present, {len(missing)} missing")
    return 1 if missing else 0


def main(argv: Sequence[str] | None = None) -> int:
    """Check the account the current AWS credentials belong to, for `--stack`."""
    import boto3

    parser = argparse.ArgumentParser(prog="make preflight", description=__doc__)
    parser.add_argument("--stack", default="prod")
    args = parser.parse_args(argv)
    try:
        settings, reserved, cluster = _reserved_and_cluster(args.stack)
        session = boto3.session.Session()
        findings = run_checks(
            settings,
            lambda service, region: session.client(service, region_name=region),  # type: ignore[call-overload]
            reserved_concurrency=reserved,
            cluster_name=cluster,
        )
    except (NoCredentialsError, BotoCoreError, ClientError) as error:
        sys.stderr.write(f"preflight: cannot ask AWS ({error}); check the credentials\n")
        return 2
    except ValueError as error:
        sys.stderr.write(f"preflight: {error}\n")
        return 2
    return _print(findings)


if __name__ == "__main__":
    sys.exit(main())

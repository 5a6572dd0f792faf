"""Invalid stack configs: each error names the key, shows the value and gives the fix.

An engineer reads these messages in `pulumi preview` output with nothing else at hand, so each
case checks all three parts: `genomics:<key>`, the value found, and a remedy to run.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, NamedTuple

import pytest

from settings import SettingsError, load_settings

BASE: dict[str, Any] = {"environment": "prod", "alertEmails": '["oncall@example.org"]'}
GENERAL = '{"name":"general","instanceTypes":["m6i.xlarge"]}'


class Case(NamedTuple):
    """One invalid config and what its error must say."""

    raw: Mapping[str, Any]
    key: str
    shown: str
    """How the value appears in the message (repr of what was found, or `<missing>`)."""
    fix: str
    """A fragment of the remedy after `(fix: `."""


CASES: dict[str, Case] = {
    "healthomics-in-a-region-without-it": Case(
        {"healthomicsEnabled": "true"},
        "healthomicsEnabled",
        "True",
        "pulumi config set genomics:healthomicsEnabled false",
    ),
    "github-hosted-runner-with-private-endpoint": Case(
        {"deployRunner": "github-hosted"},
        "deployRunner",
        "'github-hosted'",
        "pulumi config set genomics:deployRunner gen-prod-vpc",
    ),
    "deploy-runner-label-with-spaces": Case(
        {"deployRunner": "my runner"},
        "deployRunner",
        "'my runner'",
        "pulumi config set genomics:deployRunner gen-prod-vpc",
    ),
    "lambda-concurrency-quota-negative": Case(
        {"lambdaConcurrencyQuota": "-1"},
        "lambdaConcurrencyQuota",
        "'-1'",
        "pulumi config set genomics:lambdaConcurrencyQuota 1000",
    ),
    "environment-missing": Case(
        {"environment": None},
        "environment",
        "<missing>",
        "pulumi config set genomics:environment prod",
    ),
    "environment-not-allowed": Case(
        {"environment": "qa"}, "environment", "'qa'", "pulumi config set genomics:environment"
    ),
    "eks-version-unsupported": Case(
        {"eksVersion": "1.25"}, "eksVersion", "'1.25'", "pulumi config set genomics:eksVersion 1.33"
    ),
    "gid-range-reversed": Case(
        {"efsGidRangeStart": "60000", "efsGidRangeEnd": "50000"},
        "efsGidRangeEnd",
        "50000",
        "pulumi config set genomics:efsGidRangeEnd",
    ),
    "directory-perms-not-octal": Case(
        {"efsDirectoryPerms": "800"},
        "efsDirectoryPerms",
        "'800'",
        "pulumi config set genomics:efsDirectoryPerms 700",
    ),
    "directory-perms-two-digits": Case(
        {"efsDirectoryPerms": "70"},
        "efsDirectoryPerms",
        "'70'",
        "pulumi config set genomics:efsDirectoryPerms 700",
    ),
    "directory-perms-symbolic": Case(
        {"efsDirectoryPerms": "rwx"},
        "efsDirectoryPerms",
        "'rwx'",
        "pulumi config set genomics:efsDirectoryPerms 700",
    ),
    "projects-not-json": Case(
        {"projects": "tb-genomics"},
        "projects",
        "'tb-genomics'",
        "pulumi config set --path 'genomics:projects[0]' tb-genomics; "
        "pulumi config set --path 'genomics:projects[1]' rare-disease",
    ),
    "projects-json-object": Case(
        {"projects": '{"tb-genomics": 1}'},
        "projects",
        "{'tb-genomics': 1}",
        "pulumi config set --path 'genomics:projects[0]'",
    ),
    "project-slug-uppercase": Case(
        {"projects": '["TB-Genomics"]'},
        "projects",
        "['TB-Genomics']",
        "pulumi config set --path 'genomics:projects[0]'",
    ),
    "projects-duplicated": Case(
        {"projects": '["tb-genomics","tb-genomics"]'},
        "projects",
        "['tb-genomics', 'tb-genomics']",
        "pulumi config set --path 'genomics:projects[0]'",
    ),
    "alert-email-bad": Case(
        {"alertEmails": '["oncall"]'},
        "alertEmails",
        "['oncall']",
        "pulumi config set --path 'genomics:alertEmails[0]' oncall@example.org",
    ),
    "prod-without-alert-recipients": Case(
        {"alertEmails": "[]"},
        "alertEmails",
        "[]",
        "pulumi config set --path 'genomics:alertEmails[0]' genomics-oncall@example.org",
    ),
    "time-zone-unknown": Case(
        {"timeZone": "Mars/Olympus"},
        "timeZone",
        "'Mars/Olympus'",
        "pulumi config set genomics:timeZone Asia/Kolkata",
    ),
    "business-hours-end-25": Case(
        {"businessHoursEnd": "25:00"},
        "businessHoursEnd",
        "'25:00'",
        "pulumi config set genomics:businessHoursEnd 20:00",
    ),
    "cleanup-day-long-name": Case(
        {"scratchCleanupDay": "SUNDAY"},
        "scratchCleanupDay",
        "'SUNDAY'",
        "pulumi config set genomics:scratchCleanupDay SAT",
    ),
    "log-retention-not-cloudwatch": Case(
        {"logRetentionDays": "10"},
        "logRetentionDays",
        "'10'",
        "pulumi config set genomics:logRetentionDays 90",
    ),
    "vpc-cidr-public": Case(
        {"vpcCidr": "8.8.0.0/16"},
        "vpcCidr",
        "'8.8.0.0/16'",
        "pulumi config set genomics:vpcCidr 10.40.0.0/16",
    ),
    "vpc-cidr-too-small": Case(
        {"vpcCidr": "10.0.0.0/24"},
        "vpcCidr",
        "'10.0.0.0/24'",
        "pulumi config set genomics:vpcCidr 10.40.0.0/16",
    ),
    "vpc-cidr-larger-than-aws-allows": Case(
        {"vpcCidr": "10.0.0.0/8"},
        "vpcCidr",
        "'10.0.0.0/8'",
        "pulumi config set genomics:vpcCidr 10.40.0.0/16",
    ),
    "eks-endpoint-open-to-internet": Case(
        {"eksPublicAccessCidrs": '["0.0.0.0/0"]'},
        "eksPublicAccessCidrs",
        "['0.0.0.0/0']",
        "pulumi config set --path 'genomics:eksPublicAccessCidrs[0]' 203.0.113.0/24",
    ),
    "existing-vpc-without-subnets": Case(
        {"existingVpcId": "vpc-0abc1234def567890"},
        "existingPrivateSubnetIds",
        "[]",
        "pulumi config set --path 'genomics:existingPrivateSubnetIds[0]'",
    ),
    "subnets-without-vpc": Case(
        {"existingPrivateSubnetIds": '["subnet-0a1","subnet-0b2"]'},
        "existingVpcId",
        "''",
        "pulumi config set genomics:existingVpcId vpc-",
    ),
    "dr-region-equals-primary": Case(
        {"drRegion": "ap-south-1"},
        "drRegion",
        "'ap-south-1'",
        "pulumi config set genomics:drRegion ap-south-2",
    ),
    "primary-region-outside-allowed": Case(
        {"primaryRegion": "us-east-1"},
        "primaryRegion",
        "'us-east-1'",
        "pulumi config set genomics:primaryRegion ap-south-1",
    ),
    "vault-lock-in-dev": Case(
        {"environment": "dev", "backupVaultLock": "true"},
        "backupVaultLock",
        "True",
        "pulumi config set genomics:backupVaultLock false",
    ),
    "deep-archive-not-after-archive": Case(
        {"archiveAccessDays": "200", "deepArchiveAccessDays": "190"},
        "deepArchiveAccessDays",
        "190",
        "pulumi config set genomics:deepArchiveAccessDays",
    ),
    "archive-below-s3-minimum": Case(
        {"archiveAccessDays": "30"},
        "archiveAccessDays",
        "30",
        "pulumi config set genomics:archiveAccessDays 90",
    ),
    "node-group-sizes-reversed": Case(
        {
            "nodeGroups": '[{"name":"general","instanceTypes":["m6i.xlarge"],"minSize":5,'
            '"desiredSize":3,"maxSize":2}]'
        },
        "nodeGroups[0]",
        "'minSize': 5",
        "pulumi config set --path 'genomics:nodeGroups[0]'",
    ),
    "node-group-bad-taint": Case(
        {
            "nodeGroups": '[{"name":"general","instanceTypes":["m6i.xlarge"],'
            '"taints":["workload=alignment"]}]'
        },
        "nodeGroups[0].taints",
        "['workload=alignment']",
        "pulumi config set --path 'genomics:nodeGroups[0].taints'",
    ),
    "node-group-names-duplicated": Case(
        {"nodeGroups": f"[{GENERAL},{GENERAL}]"},
        "nodeGroups[1].name",
        "'general'",
        "pulumi config set --path 'genomics:nodeGroups[1].name' general-1",
    ),
    "research-group-unknown-project": Case(
        {
            "projects": '["tb-genomics"]',
            "researchGroups": '[{"name":"tb-lab","projects":["rare-disease"],'
            '"classifications":["internal"]}]',
        },
        "researchGroups[0].projects",
        "['rare-disease']",
        "pulumi config set --path 'genomics:researchGroups[0].projects'",
    ),
    "research-group-unknown-classification": Case(
        {
            "projects": '["tb-genomics"]',
            "researchGroups": '[{"name":"tb-lab","projects":["tb-genomics"],'
            '"classifications":["secret"]}]',
        },
        "researchGroups[0].classifications",
        "['secret']",
        "pulumi config set --path 'genomics:researchGroups[0].classifications'",
    ),
    "unknown-key-with-suggestion": Case(
        {"eksVersoin": "1.33"},
        "eksVersoin",
        "'1.33'",
        "pulumi config rm genomics:eksVersoin",
    ),
    "lab-api-domain-without-certificate": Case(
        {"labApiDomainName": "lab-api.genomics.example.org"},
        "labApiCertificateArn",
        "''",
        "pulumi config set genomics:labApiCertificateArn arn:aws:acm:",
    ),
    "eln-endpoint-plain-http": Case(
        {"elnEndpoint": "http://eln.example.org/api"},
        "elnEndpoint",
        "'http://eln.example.org/api'",
        "pulumi config set genomics:elnEndpoint https://eln.example.org/api",
    ),
    "availability-zones-above-three": Case(
        {"availabilityZoneCount": "4"},
        "availabilityZoneCount",
        "'4'",
        "pulumi config set genomics:availabilityZoneCount 3",
    ),
    "boolean-not-boolean": Case(
        {"backupVaultLock": "maybe"},
        "backupVaultLock",
        "'maybe'",
        "pulumi config set genomics:backupVaultLock true",
    ),
    "provisioned-throughput-without-mibps": Case(
        {"efsThroughputMode": "provisioned"},
        "efsProvisionedMibps",
        "0",
        "pulumi config set genomics:efsProvisionedMibps 256",
    ),
    "org-with-uppercase": Case(
        {"org": "Genomics"}, "org", "'Genomics'", "pulumi config set genomics:org gen"
    ),
    "alarm-percent-above-100": Case(
        {"alarmNodeCpuPercent": "150"},
        "alarmNodeCpuPercent",
        "'150'",
        "pulumi config set genomics:alarmNodeCpuPercent 80",
    ),
    "alarm-percent-zero": Case(
        {"alarmEfsPercentIoLimit": "0"},
        "alarmEfsPercentIoLimit",
        "'0'",
        "pulumi config set genomics:alarmEfsPercentIoLimit 95",
    ),
    "alarm-count-negative": Case(
        {"alarmPodRestarts": "-1"},
        "alarmPodRestarts",
        "'-1'",
        "pulumi config set genomics:alarmPodRestarts 5",
    ),
    "alarm-threshold-not-a-number": Case(
        {"alarmS3ServerErrors": "many"},
        "alarmS3ServerErrors",
        "'many'",
        "pulumi config set genomics:alarmS3ServerErrors 0",
    ),
    "alarm-threshold-fractional": Case(
        {"alarmUntaggedObjects": "0.5"},
        "alarmUntaggedObjects",
        "'0.5'",
        "pulumi config set genomics:alarmUntaggedObjects 0",
    ),
    "alarm-replication-latency-too-long": Case(
        {"alarmReplicationLatencySeconds": "100000"},
        "alarmReplicationLatencySeconds",
        "'100000'",
        "pulumi config set genomics:alarmReplicationLatencySeconds 900",
    ),
    "log-alert-terms-empty": Case(
        {"logAlertTerms": "[]"},
        "logAlertTerms",
        "[]",
        "pulumi config set --path 'genomics:logAlertTerms[0]' ERROR; "
        "pulumi config set --path 'genomics:logAlertTerms[1]' Traceback",
    ),
    "log-alert-term-with-quote": Case(
        {"logAlertTerms": '["OOM\\"Killed"]'},
        "logAlertTerms",
        "['OOM\"Killed']",
        "pulumi config set --path 'genomics:logAlertTerms[0]'",
    ),
    "log-alert-term-blank": Case(
        {"logAlertTerms": '["ERROR"," "]'},
        "logAlertTerms",
        "['ERROR', ' ']",
        "pulumi config set --path 'genomics:logAlertTerms[0]'",
    ),
    "log-alert-terms-repeated": Case(
        {"logAlertTerms": '["ERROR","ERROR"]'},
        "logAlertTerms",
        "['ERROR', 'ERROR']",
        "pulumi config set --path 'genomics:logAlertTerms[0]'",
    ),
    "log-alert-terms-not-a-list": Case(
        {"logAlertTerms": "ERROR"},
        "logAlertTerms",
        "'ERROR'",
        "pulumi config set --path 'genomics:logAlertTerms[0]'",
    ),
    "log-alert-dedupe-window-too-short": Case(
        {"logAlertDedupeWindowSeconds": "10"},
        "logAlertDedupeWindowSeconds",
        "'10'",
        "pulumi config set genomics:logAlertDedupeWindowSeconds 900",
    ),
    "log-alert-dedupe-window-above-a-day": Case(
        {"logAlertDedupeWindowSeconds": "90000"},
        "logAlertDedupeWindowSeconds",
        "'90000'",
        "pulumi config set genomics:logAlertDedupeWindowSeconds 900",
    ),
    "admin-role-not-an-arn": Case(
        {"eksAdminRoleArns": '["platform-admin"]'},
        "eksAdminRoleArns",
        "['platform-admin']",
        "pulumi config set --path 'genomics:eksAdminRoleArns[0]'",
    ),
}


def _error(raw: Mapping[str, Any]) -> SettingsError:
    """Load BASE overlaid with `raw` (a None value removes the key) and return the error."""
    config = {key: value for key, value in {**BASE, **raw}.items() if value is not None}
    with pytest.raises(SettingsError) as caught:
        load_settings(config)
    return caught.value


def _line(error: SettingsError, key: str) -> str:
    """The one message line about `key` (exactly one must exist)."""
    lines = [line for line in str(error).splitlines() if line.startswith(f"  - genomics:{key} = ")]
    assert len(lines) == 1, str(error)
    return lines[0]


@pytest.mark.parametrize("case", CASES.values(), ids=CASES.keys())
def test_error_names_the_key(case: Case) -> None:
    """The message names the offending key in its namespaced form, as `pulumi config` shows."""
    error = _error(case.raw)
    assert f"genomics:{case.key} = " in str(error)
    assert [p.key for p in error.problems] == [case.key]


@pytest.mark.parametrize("case", CASES.values(), ids=CASES.keys())
def test_error_shows_the_value_found(case: Case) -> None:
    """The message shows what the stack holds, so nobody has to look it up."""
    line = _line(_error(case.raw), case.key)
    shown = line.split(" = ", 1)[1].split(": expected ", 1)[0]
    assert case.shown in shown


@pytest.mark.parametrize("case", CASES.values(), ids=CASES.keys())
def test_error_gives_the_fix(case: Case) -> None:
    """The message ends with a remedy to run, and says what is expected instead."""
    line = _line(_error(case.raw), case.key)
    assert ": expected " in line
    assert f"(fix: {case.fix}" in line


def test_unknown_key_suggests_the_closest_known_key() -> None:
    """A misspelt key says which key was probably meant."""
    line = _line(_error({"eksVersoin": "1.33"}), "eksVersoin")
    assert "did you mean eksVersion?" in line


def test_environment_not_allowed_lists_the_allowed_ones() -> None:
    """An unknown environment lists every allowed environment."""
    line = _line(_error({"environment": "qa"}), "environment")
    assert all(name in line for name in ("'dev'", "'staging'", "'prod'"))


def test_several_problems_are_reported_together() -> None:
    """Every invalid key is reported in one error, not one per run."""
    error = _error(
        {
            "eksVersion": "1.25",
            "timeZone": "Mars/Olympus",
            "efsDirectoryPerms": "rwx",
            "eksVersoin": "1.33",
        }
    )
    assert sorted(p.key for p in error.problems) == [
        "efsDirectoryPerms",
        "eksVersion",
        "eksVersoin",
        "timeZone",
    ]
    assert str(error).startswith("4 invalid setting(s) in this stack:")


def test_cross_key_problems_are_reported_with_unknown_keys() -> None:
    """A rule spanning keys is reported in the same error as a misspelt key."""
    error = _error({"drRegion": "ap-south-1", "eksVersoin": "1.33"})
    assert sorted(p.key for p in error.problems) == ["drRegion", "eksVersoin"]


def test_several_cross_key_problems_are_reported_together() -> None:
    """Every cross-key rule that fails is reported, not only the first."""
    error = _error({"environment": "dev", "backupVaultLock": "true", "drRegion": "ap-south-1"})
    assert sorted(p.key for p in error.problems) == ["backupVaultLock", "drRegion"]


def test_storage_gateway_needs_its_domain_join() -> None:
    """An activation key without the Active Directory join names each missing join key."""
    with pytest.raises(SettingsError) as raised:
        load_settings(
            {**BASE, "storageGatewayActivationKey": "ABCDE-12345-FGHIJ-67890-KLMNO"},
            secret_keys={"storageGatewayActivationKey"},
        )
    error = raised.value
    assert sorted(p.key for p in error.problems) == [
        "storageGatewayAdDomain",
        "storageGatewayAdPasswordSecretArn",
        "storageGatewayAdUsername",
    ]
    assert "set when storageGatewayActivationKey is set" in str(error)

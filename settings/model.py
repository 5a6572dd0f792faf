"""The stack settings model: every config key, its type, default, description and example.

This model is the single source of truth for configuration: the loader validates against it,
`Pulumi.yaml`'s `config:` block and `docs/configuration.md` are generated from it (and tests
fail on drift), and `__main__.py` hands its typed values to the components. Keys are camelCase
in config (`genomics:eksVersion`) and snake_case in Python (`settings.eks_version`).
"""

from __future__ import annotations

import ipaddress
import re
from typing import Annotated, Any, Literal, Self

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator
from pydantic.alias_generators import to_camel

from contracts.facts import LOG_RETENTION_DAYS, TIME_OF_DAY, WEEKDAYS
from contracts.facts.aws_endpoints import offering_regions
from contracts.names import is_project_slug, resource_prefix
from contracts.taxonomy import (
    CLASSIFICATIONS,
    DR_REGION,
    ENVIRONMENTS,
    INDIA_REGIONS,
    PLATFORM_PROJECT,
    PRIMARY_REGION,
    TagKey,
)

__all__ = [
    "SUPPORTED_EKS_VERSIONS",
    "NodeGroupSettings",
    "ResearchGroupSettings",
    "StackSettings",
]

SUPPORTED_EKS_VERSIONS = ("1.31", "1.32", "1.33", "1.34")
"""Kubernetes versions EKS supports in standard support that this platform is tested with."""


_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[a-z]{2,}$", re.IGNORECASE)
_ORG = re.compile(r"^[a-z][a-z0-9]{1,11}$")
_LOG_ALERT_TERM = re.compile(r'^[^"\s]([^"\x00-\x1f]{0,62}[^"\s])?$')
"""A term of the log-alerts filter pattern: quoted there, so no double quotes; 1-64 chars."""
_DEFAULT_LOG_ALERT_TERMS = ("ERROR",)
_TIB = 1024**4
GITHUB_HOSTED_RUNNER = "github-hosted"
"""`deployRunner` value for GitHub's own runners, which run outside every VPC."""


def _alarm(description: str, example: str, *, ge: int = 0, le: int | None = None) -> Any:
    """An alarm threshold: an integer (Pulumi config has no number type), bounded."""
    return Field(description=description, examples=[example], ge=ge, le=le)


class _Frozen(BaseModel):
    model_config = ConfigDict(
        frozen=True, extra="forbid", alias_generator=to_camel, populate_by_name=False
    )


class NodeGroupSettings(_Frozen):
    """One EKS managed node group."""

    name: Annotated[
        str,
        Field(
            pattern=r"^[a-z][a-z0-9-]{1,30}$",
            description="Node group name, unique in the stack (2-31 lowercase characters).",
            examples=["alignment"],
        ),
    ]
    instance_types: Annotated[
        tuple[str, ...],
        Field(
            min_length=1,
            description="EC2 instance types, first preferred; several widen Spot capacity.",
            examples=[["r6i.4xlarge"]],
        ),
    ]
    min_size: Annotated[
        int, Field(ge=0, le=100, description="Fewest nodes the group scales to.", examples=[0])
    ] = 1
    desired_size: Annotated[
        int,
        Field(ge=0, le=100, description="Nodes at creation (minSize-maxSize).", examples=[1]),
    ] = 1
    max_size: Annotated[
        int, Field(ge=1, le=100, description="Most nodes the group scales to.", examples=[10])
    ] = 3
    capacity_type: Annotated[
        Literal["ON_DEMAND", "SPOT"],
        Field(description="On-Demand or Spot capacity.", examples=["SPOT"]),
    ] = "ON_DEMAND"
    disk_size_gib: Annotated[
        int, Field(ge=20, le=2000, description="Root volume size of each node.", examples=[200])
    ] = 100
    labels: Annotated[
        dict[str, str],
        Field(
            default_factory=dict,
            description="Kubernetes labels of the nodes.",
            examples=[{"workload": "alignment"}],
        ),
    ]
    taints: Annotated[
        tuple[str, ...],
        Field(
            description="Taints as `key=value:Effect`, so only tolerating pods land there.",
            examples=[["workload=alignment:NoSchedule"]],
        ),
    ] = ()

    @field_validator("taints")
    @classmethod
    def _taints_are_well_formed(cls, taints: tuple[str, ...]) -> tuple[str, ...]:
        for taint in taints:
            if not re.fullmatch(r"[\w./-]+=[\w.-]*:(NoSchedule|PreferNoSchedule|NoExecute)", taint):
                raise ValueError(f"taints like key=value:NoSchedule (not {taint!r})")
        return taints

    @model_validator(mode="after")
    def _sizes_are_ordered(self) -> Self:
        if not self.min_size <= self.desired_size <= self.max_size:
            raise ValueError(
                f"minSize <= desiredSize <= maxSize (got {self.min_size}, "
                f"{self.desired_size}, {self.max_size})"
            )
        return self


class ResearchGroupSettings(_Frozen):
    """A research group: the ABAC principal tags its role carries."""

    name: Annotated[
        str,
        Field(
            pattern=r"^[a-z][a-z0-9-]{1,40}$",
            description="Group name; its IAM role is named after it.",
            examples=["tb-lab"],
        ),
    ]
    projects: Annotated[
        tuple[str, ...],
        Field(
            min_length=1,
            description="Projects the group may read; each must be listed in `projects`.",
            examples=[["tb-genomics"]],
        ),
    ]
    classifications: Annotated[
        tuple[str, ...],
        Field(
            min_length=1,
            description="Data classifications the group may read.",
            examples=[["internal", "restricted"]],
        ),
    ]

    @field_validator("projects")
    @classmethod
    def _projects_are_slugs(cls, projects: tuple[str, ...]) -> tuple[str, ...]:
        bad = [p for p in projects if not is_project_slug(p)]
        if bad:
            raise ValueError(f"project slugs: lowercase letters, digits, inner hyphens (not {bad})")
        return projects

    @field_validator("classifications")
    @classmethod
    def _classifications_are_known(cls, values: tuple[str, ...]) -> tuple[str, ...]:
        bad = [v for v in values if v not in CLASSIFICATIONS]
        if bad:
            raise ValueError(f"classifications among {', '.join(CLASSIFICATIONS)} (not {bad})")
        return values


_DEFAULT_NODE_GROUPS = (
    NodeGroupSettings.model_validate({"name": "general", "instanceTypes": ["m6i.xlarge"]}),
)


class StackSettings(_Frozen):
    """Every setting of one stack, validated. Field aliases are the config keys."""

    # Identity and naming
    org: Annotated[
        str,
        Field(
            description="Short organisation prefix of every physical name (2-12 chars).",
            examples=["gen"],
        ),
    ] = "gen"
    environment: Literal["dev", "staging", "prod"] = Field(
        description="Deployment environment; decides safe defaults such as dry-run.",
        examples=["prod"],
    )
    owner: Annotated[
        str,
        Field(
            description="Team that owns the stack (resource tag).",
            examples=["genomics-platform-team"],
        ),
    ] = "genomics-platform-team"
    cost_center: Annotated[
        str,
        Field(
            description="Cost centre charged for the stack (resource tag).",
            examples=["research-genomics"],
        ),
    ] = "research-genomics"

    # Regions
    primary_region: Annotated[
        str, Field(description="Region of the platform (Mumbai).", examples=["ap-south-1"])
    ] = PRIMARY_REGION
    dr_region: Annotated[
        str,
        Field(
            description="Disaster-recovery region for replicas and backup copies (Hyderabad).",
            examples=["ap-south-2"],
        ),
    ] = DR_REGION
    allowed_regions: Annotated[
        tuple[str, ...],
        Field(
            description="Regions data may live in (data residency).",
            examples=['\'["ap-south-1","ap-south-2"]\''],
        ),
    ] = INDIA_REGIONS

    # Network
    vpc_cidr: Annotated[
        str,
        Field(
            description="CIDR of the new VPC (ignored with existingVpcId).",
            examples=["10.40.0.0/16"],
        ),
    ] = "10.40.0.0/16"
    availability_zone_count: Annotated[
        int,
        Field(description="Availability zones the VPC spans (2-3).", examples=["3"], ge=2, le=3),
    ] = 3
    nat_gateway_per_az: Annotated[
        bool,
        Field(
            description="One NAT gateway per AZ (prod) instead of one shared (dev).",
            examples=["true"],
        ),
    ] = True
    existing_vpc_id: Annotated[
        str,
        Field(
            description="Use this VPC instead of creating one.", examples=["vpc-0abc1234def567890"]
        ),
    ] = ""
    existing_private_subnet_ids: Annotated[
        tuple[str, ...],
        Field(
            description="Private subnets of the existing VPC, one per AZ.",
            examples=['\'["subnet-0a1","subnet-0b2"]\''],
        ),
    ] = ()

    # EKS
    eks_version: Annotated[
        str, Field(description="Kubernetes version of the EKS cluster.", examples=["1.33"])
    ] = "1.33"
    eks_public_access_cidrs: Annotated[
        tuple[str, ...],
        Field(
            description="CIDRs allowed to reach a public API endpoint; empty keeps it private.",
            examples=["'[\"203.0.113.0/24\"]'"],
        ),
    ] = ()
    eks_admin_role_arns: Annotated[
        tuple[str, ...],
        Field(
            description="IAM roles granted cluster admin through access entries.",
            examples=["'[\"arn:aws:iam::123456789012:role/platform-admin\"]'"],
        ),
    ] = ()
    node_groups: Annotated[
        tuple[NodeGroupSettings, ...],
        Field(
            description="Managed node groups: name, instanceTypes, sizes, capacity, labels.",
            examples=['\'[{"name":"general","instanceTypes":["m6i.xlarge"]}]\''],
        ),
    ] = _DEFAULT_NODE_GROUPS
    efs_csi_identity: Annotated[
        Literal["pod-identity", "irsa"],
        Field(description="How the EFS CSI driver gets its IAM role.", examples=["pod-identity"]),
    ] = "pod-identity"

    # EFS
    efs_throughput_mode: Annotated[
        Literal["elastic", "bursting", "provisioned"],
        Field(description="EFS throughput mode.", examples=["elastic"]),
    ] = "elastic"
    efs_provisioned_mibps: Annotated[
        int,
        Field(
            description="Provisioned throughput in MiB/s (provisioned mode only).",
            examples=["256"],
            ge=0,
            le=10240,
        ),
    ] = 0
    efs_gid_range_start: Annotated[
        int,
        Field(
            description="First POSIX GID the CSI driver gives access points.",
            examples=["50000"],
            ge=1,
            le=2147483647,
        ),
    ] = 50000
    efs_gid_range_end: Annotated[
        int,
        Field(
            description="Last POSIX GID the CSI driver gives access points.",
            examples=["59999"],
            ge=1,
            le=2147483647,
        ),
    ] = 59999
    efs_directory_perms: Annotated[
        str,
        Field(
            description="Permissions of directories dynamic provisioning creates (octal).",
            examples=["700"],
        ),
    ] = "700"
    efs_reclaim_policy: Annotated[
        Literal["Retain", "Delete"],
        Field(
            description="What happens to project data when its PVC is deleted.", examples=["Retain"]
        ),
    ] = "Retain"

    # Research projects and groups
    projects: Annotated[
        tuple[str, ...],
        Field(
            description="Research project slugs; each gets a workspace and a data prefix.",
            examples=['\'["tb-genomics","rare-disease"]\''],
        ),
    ] = ()
    research_groups: Annotated[
        tuple[ResearchGroupSettings, ...],
        Field(
            description="Research groups (name, projects, classifications) with ABAC roles.",
            examples=[
                '\'[{"name":"tb-lab","projects":["tb-genomics"],'
                '"classifications":["internal","restricted"]}]\''
            ],
        ),
    ] = ()
    workspace_storage: Annotated[
        str,
        Field(
            description="Size of each project's workspace PVC.",
            examples=["100Gi"],
            pattern=r"^[1-9]\d*(Gi|Ti)$",
        ),
    ] = "100Gi"
    workspace_cpu_quota: Annotated[
        str,
        Field(
            description="CPU quota per project namespace.", examples=["64"], pattern=r"^[1-9]\d*m?$"
        ),
    ] = "64"
    workspace_memory_quota: Annotated[
        str,
        Field(
            description="Memory quota per project namespace.",
            examples=["256Gi"],
            pattern=r"^[1-9]\d*(Mi|Gi|Ti)$",
        ),
    ] = "256Gi"

    # Alerts and schedules (all times in timeZone)
    alert_emails: Annotated[
        tuple[str, ...],
        Field(
            description="E-mail addresses subscribed to alert topics.",
            examples=["'[\"oncall@example.org\"]'"],
        ),
    ] = ()
    time_zone: Annotated[
        str, Field(description="Time zone of every schedule.", examples=["Asia/Kolkata"])
    ] = "Asia/Kolkata"
    business_hours_end: Annotated[
        str,
        Field(description="End of business hours; daily backups start then.", examples=["20:00"]),
    ] = "20:00"
    testing_hours_start: Annotated[
        str,
        Field(
            description=(
                "Start of testing hours; empty means test instances are not started and "
                "testing hours run from 00:00."
            ),
            examples=["09:00"],
        ),
    ] = ""
    testing_hours_end: Annotated[
        str,
        Field(
            description=(
                "End of testing hours; opted-in EC2 test instances stop then, and a stop "
                "inside testing hours is refused."
            ),
            examples=["19:00"],
        ),
    ] = "19:00"
    transfer_times: Annotated[
        tuple[str, ...],
        Field(
            description="Times of day DataSync transfers start.", examples=['\'["10:00","22:00"]\'']
        ),
    ] = ("10:00", "14:00", "18:00", "22:00")
    tag_audit_time: Annotated[
        str, Field(description="Time of the daily untagged-object audit.", examples=["06:00"])
    ] = "06:00"
    scratch_cleanup_day: Annotated[
        str, Field(description="Weekday of the EFS scratch clean-up.", examples=["SAT"])
    ] = "SAT"
    scratch_cleanup_time: Annotated[
        str, Field(description="Time of the EFS scratch clean-up.", examples=["23:00"])
    ] = "23:00"

    # Alarm thresholds and log alerts (every alarm notifies the alerts topic)
    alarm_efs_percent_io_limit: Annotated[
        int,
        _alarm(
            "EFS PercentIOLimit (%, max over 15 minutes) above which I/O nears throttling.",
            "95",
            ge=1,
            le=100,
        ),
    ] = 95
    alarm_efs_throughput_utilization: Annotated[
        int,
        _alarm(
            "EFS metered throughput as % of permitted throughput, over 15 minutes.",
            "80",
            ge=1,
            le=100,
        ),
    ] = 80
    alarm_efs_elastic_metered_mibps: Annotated[
        int,
        _alarm(
            "Elastic mode only: EFS metered throughput (MiB/s, 15 minutes) beyond the plan.",
            "500",
            ge=1,
            le=61440,
        ),
    ] = 500
    alarm_efs_client_connections: Annotated[
        int,
        _alarm("EFS client connections above which mounts are leaking.", "500", ge=1, le=25000),
    ] = 500
    alarm_efs_burst_credit_balance_bytes: Annotated[
        int,
        _alarm(
            "Bursting mode only: EFS burst credits (bytes) below which throughput drops.",
            "1099511627776",
        ),
    ] = _TIB
    alarm_replication_latency_seconds: Annotated[
        int,
        _alarm(
            "S3 replication latency (s) to the DR region; RTC promises 900.",
            "900",
            ge=60,
            le=86400,
        ),
    ] = 900
    alarm_s3_client_errors: Annotated[
        int, _alarm("S3 4xx responses per bucket per 5 minutes (denied or missing keys).", "100")
    ] = 100
    alarm_s3_server_errors: Annotated[
        int, _alarm("S3 5xx responses per bucket per 5 minutes; 0 alarms on the first.", "0")
    ] = 0
    alarm_lambda_errors: Annotated[
        int, _alarm("Lambda errors per function per 5 minutes; 0 alarms on the first.", "0")
    ] = 0
    alarm_lambda_throttles: Annotated[
        int, _alarm("Lambda throttles per function per 5 minutes; 0 alarms on the first.", "0")
    ] = 0
    alarm_node_cpu_percent: Annotated[
        int, _alarm("Average EKS node CPU (%) over 15 minutes.", "80", ge=1, le=100)
    ] = 80
    alarm_node_memory_percent: Annotated[
        int, _alarm("Average EKS node memory (%) over 15 minutes.", "80", ge=1, le=100)
    ] = 80
    alarm_pod_restarts: Annotated[
        int, _alarm("Container restarts across the cluster in 5 minutes (the increase).", "5")
    ] = 5
    alarm_untagged_objects: Annotated[
        int, _alarm("Objects the daily tag audit may find without required tags.", "0")
    ] = 0
    log_alert_terms: Annotated[
        tuple[str, ...],
        Field(
            min_length=1,
            max_length=20,
            description="Terms any of which forwards an application log line to the alerts topic.",
            examples=['\'["ERROR","Traceback"]\''],
        ),
    ] = _DEFAULT_LOG_ALERT_TERMS
    log_alert_dedupe_window_seconds: Annotated[
        int,
        Field(
            description="Seconds the log-alerts function suppresses a repeated line.",
            examples=["900"],
            ge=60,
            le=86400,
        ),
    ] = 900

    # Retention and lifecycle
    backup_retention_days: Annotated[
        int,
        Field(
            description="Days EBS recovery points are kept (both regions).",
            examples=["7"],
            ge=1,
            le=35,
        ),
    ] = 7
    backup_vault_lock: Annotated[
        bool,
        Field(description="Lock backup vaults (compliance mode); never in dev.", examples=["true"]),
    ] = False
    scratch_retention_days: Annotated[
        int, Field(description="Days temporary EFS data is kept.", examples=["7"], ge=1, le=90)
    ] = 7
    ebs_reaper_grace_days: Annotated[
        int,
        Field(
            description="Days an EBS volume must be seen unattached, daily, before deletion.",
            examples=["30"],
            ge=7,
            le=365,
        ),
    ] = 30
    ops_dry_run: Annotated[
        bool,
        Field(
            description="The EBS reaper, EC2 scheduler and scratch clean-up only report.",
            examples=["false"],
        ),
    ] = True
    ebs_reaper_max_deletions: Annotated[
        int,
        Field(
            description="Most volumes the reaper deletes in one run.", examples=["20"], ge=0, le=500
        ),
    ] = 20
    raw_object_lock_days: Annotated[
        int,
        Field(
            description="Default WORM retention of raw sequence objects (days).",
            examples=["365"],
            ge=1,
            le=36500,
        ),
    ] = 365
    object_lock_mode: Annotated[
        Literal["GOVERNANCE", "COMPLIANCE"],
        Field(description="Object Lock mode of raw data.", examples=["COMPLIANCE"]),
    ] = "GOVERNANCE"
    archive_access_days: Annotated[
        int,
        Field(
            description="Days without access before Intelligent-Tiering archives (0 turns it off).",
            examples=["90"],
            ge=0,
            le=730,
        ),
    ] = 90
    deep_archive_access_days: Annotated[
        int,
        Field(
            description="Days before Intelligent-Tiering deep-archives (0 turns it off).",
            examples=["180"],
            ge=0,
            le=730,
        ),
    ] = 180
    noncurrent_version_days: Annotated[
        int,
        Field(
            description="Days noncurrent object versions are kept.", examples=["90"], ge=1, le=3650
        ),
    ] = 90
    log_retention_days: Annotated[
        int, Field(description="Retention of every log group the stack creates.", examples=["90"])
    ] = 90

    # Transfer and tagging
    transfer_bandwidth_mibps: Annotated[
        int,
        Field(
            description="DataSync bandwidth cap in MiB/s; 0 is unlimited.",
            examples=["200"],
            ge=0,
            le=10000,
        ),
    ] = 0
    tag_unclassified: Annotated[
        bool,
        Field(
            description="Tag objects that match no convention as data-type=unclassified.",
            examples=["true"],
        ),
    ] = True
    fan_out_threshold: Annotated[
        int,
        Field(
            description="Object count above which tagging and audit fan out (Distributed Map).",
            examples=["200000"],
            ge=1000,
        ),
    ] = 200000

    # Laboratory data mesh switches
    lab_api_enabled: Annotated[
        bool,
        Field(
            description="Build the lab API (API Gateway) and the sync workflow.", examples=["true"]
        ),
    ] = False
    lab_api_domain_name: Annotated[
        str,
        Field(
            description="Custom domain for the lab API (TLS 1.2); empty uses the default endpoint.",
            examples=["lab-api.genomics.example.org"],
        ),
    ] = ""
    lab_api_certificate_arn: Annotated[
        str,
        Field(
            description="ACM certificate ARN for the custom domain.",
            examples=["arn:aws:acm:ap-south-1:123456789012:certificate/abc"],
        ),
    ] = ""
    eln_endpoint: Annotated[
        str,
        Field(
            description="HTTPS base URL of the ELN that the sync workflow notifies.",
            examples=["https://eln.example.org/api"],
        ),
    ] = ""
    datazone_enabled: Annotated[
        bool, Field(description="Build the DataZone domain and projects.", examples=["true"])
    ] = False
    batch_enabled: Annotated[
        bool, Field(description="Build the AWS Batch alignment environment.", examples=["true"])
    ] = False
    batch_max_vcpus: Annotated[
        int,
        Field(
            description="Most vCPUs the Batch compute environment scales to.",
            examples=["256"],
            ge=1,
            le=10000,
        ),
    ] = 256
    batch_use_spot: Annotated[
        bool, Field(description="Run Batch jobs on Spot capacity.", examples=["true"])
    ] = True
    healthomics_enabled: Annotated[
        bool,
        Field(
            description="Build HealthOmics sequence/reference stores and workflow.",
            examples=["true"],
        ),
    ] = False
    ready2run_workflow_ids: Annotated[
        tuple[str, ...],
        Field(
            description="Ready2Run workflow ids the HealthOmics run role may start.",
            examples=["'[\"9500764\"]'"],
        ),
    ] = ()
    eln_api_key_secret_arn: Annotated[
        str,
        Field(
            description="Secrets Manager secret holding the ELN API key (with elnEndpoint).",
            examples=["arn:aws:secretsmanager:ap-south-1:123456789012:secret:eln-api-key-AbCdEf"],
            pattern=r"^(arn:aws[\w-]*:secretsmanager:[a-z0-9-]+:\d{12}:secret:[\w/+=.@!-]+)?$",
        ),
    ] = ""
    healthomics_workflow_definition_uri: Annotated[
        str,
        Field(
            description=(
                "s3://.../workflow.zip of a workflow of the lab's own; "
                "empty: pipelines/alignment.wdl."
            ),
            examples=["s3://gen-prod-reference/workflows/alignment.zip"],
            pattern=r"^(s3://\S+\.zip)?$",
        ),
    ] = ""
    storage_gateway_activation_key: Annotated[
        str,
        Field(
            description="Activation key of an on-premises S3 File Gateway; empty skips it.",
            examples=["ABCDE-12345-FGHIJ-67890-KLMNO"],
            json_schema_extra={"secret": True},
        ),
    ] = ""
    storage_gateway_client_cidrs: Annotated[
        tuple[str, ...],
        Field(
            description="On-premises CIDRs allowed to mount gateway shares.",
            examples=["'[\"192.168.10.0/24\"]'"],
        ),
    ] = ()
    storage_gateway_ad_domain: Annotated[
        str,
        Field(
            description="Active Directory domain the gateway joins for its SMB share.",
            examples=["lab.example.org"],
        ),
    ] = ""
    storage_gateway_ad_username: Annotated[
        str,
        Field(
            description="Account allowed to join computers to that domain.",
            examples=["sgw-join"],
        ),
    ] = ""
    storage_gateway_ad_password_secret_arn: Annotated[
        str,
        Field(
            description="Secrets Manager secret holding the join account's password.",
            examples=["arn:aws:secretsmanager:ap-south-1:123456789012:secret:sgw-join-AbCdEf"],
        ),
    ] = ""

    # ---- field validators: one error per key, naming what is expected ----

    @field_validator("org")
    @classmethod
    def _org_is_short_slug(cls, value: str) -> str:
        if not _ORG.fullmatch(value):
            raise ValueError("2-12 lowercase letters or digits, starting with a letter")
        return value

    @field_validator("owner", "cost_center")
    @classmethod
    def _tag_value_is_valid(cls, value: str) -> str:
        if not re.fullmatch(r"[\w .:/=+@-]{1,256}", value):
            raise ValueError("1-256 characters valid in an AWS tag value")
        return value

    @field_validator("primary_region", "dr_region")
    @classmethod
    def _region_is_well_formed(cls, value: str) -> str:
        if not re.fullmatch(r"[a-z]{2}(-gov)?-[a-z]+-\d", value):
            raise ValueError("an AWS region code such as ap-south-1")
        return value

    @field_validator("vpc_cidr")
    @classmethod
    def _cidr_is_private_and_large(cls, value: str) -> str:
        try:
            network = ipaddress.ip_network(value)
        except ValueError as error:
            raise ValueError(f"an IPv4 CIDR such as 10.40.0.0/16 ({error})") from error
        # AWS accepts VPC blocks from /16 to /28; below /20 leaves too few addresses for pods.
        if network.version != 4 or not network.is_private or not 16 <= network.prefixlen <= 20:
            raise ValueError("a private IPv4 CIDR from /16 to /20, such as 10.40.0.0/16")
        return value

    @field_validator("eks_public_access_cidrs", "storage_gateway_client_cidrs")
    @classmethod
    def _cidrs_are_narrow(cls, values: tuple[str, ...]) -> tuple[str, ...]:
        for value in values:
            try:
                network = ipaddress.ip_network(value)
            except ValueError as error:
                raise ValueError(f"CIDRs such as 203.0.113.0/24 (not {value!r})") from error
            if network.prefixlen == 0:
                raise ValueError(
                    f"CIDRs narrower than {value} (it opens the endpoint to the whole internet)"
                )
        return values

    @field_validator("existing_vpc_id")
    @classmethod
    def _vpc_id(cls, value: str) -> str:
        if value and not re.fullmatch(r"vpc-[0-9a-f]{8,17}", value):
            raise ValueError("a VPC id such as vpc-0abc1234def567890, or empty")
        return value

    @field_validator("existing_private_subnet_ids")
    @classmethod
    def _subnet_ids(cls, values: tuple[str, ...]) -> tuple[str, ...]:
        bad = [v for v in values if not re.fullmatch(r"subnet-[0-9a-f]{3,17}", v)]
        if bad:
            raise ValueError(f"subnet ids such as subnet-0abc123 (not {bad})")
        return values

    @field_validator("eks_version")
    @classmethod
    def _eks_version_supported(cls, value: str) -> str:
        if value not in SUPPORTED_EKS_VERSIONS:
            raise ValueError(f"one of {', '.join(SUPPORTED_EKS_VERSIONS)}")
        return value

    @field_validator("eks_admin_role_arns")
    @classmethod
    def _role_arns(cls, values: tuple[str, ...]) -> tuple[str, ...]:
        bad = [
            v for v in values if not re.fullmatch(r"arn:aws[\w-]*:iam::\d{12}:role/[\w+=,.@/-]+", v)
        ]
        if bad:
            raise ValueError(f"IAM role ARNs such as arn:aws:iam::123456789012:role/x (not {bad})")
        return values

    @field_validator("efs_directory_perms")
    @classmethod
    def _octal_perms(cls, value: str) -> str:
        if not re.fullmatch(r"[0-7]{3}", value):
            raise ValueError("three octal digits such as 700")
        return value

    @field_validator("projects")
    @classmethod
    def _project_slugs(cls, values: tuple[str, ...]) -> tuple[str, ...]:
        bad = [v for v in values if not is_project_slug(v)]
        if bad:
            raise ValueError(f"project slugs: lowercase letters, digits, inner hyphens (not {bad})")
        repeated = sorted({v for v in values if values.count(v) > 1})
        if repeated:
            raise ValueError(f"each project listed once (repeated: {repeated})")
        return values

    @field_validator("alert_emails")
    @classmethod
    def _emails(cls, values: tuple[str, ...]) -> tuple[str, ...]:
        bad = [v for v in values if not _EMAIL.fullmatch(v)]
        if bad:
            raise ValueError(f"e-mail addresses such as oncall@example.org (not {bad})")
        return values

    @field_validator("time_zone")
    @classmethod
    def _time_zone(cls, value: str) -> str:
        from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as error:
            raise ValueError("an IANA time zone such as Asia/Kolkata") from error
        return value

    @field_validator(
        "business_hours_end", "testing_hours_end", "tag_audit_time", "scratch_cleanup_time"
    )
    @classmethod
    def _clock_time(cls, value: str) -> str:
        if not TIME_OF_DAY.fullmatch(value):
            raise ValueError("a 24-hour time HH:MM such as 20:00")
        return value

    @field_validator("testing_hours_start")
    @classmethod
    def _optional_clock_time(cls, value: str) -> str:
        if value and not TIME_OF_DAY.fullmatch(value):
            raise ValueError("a 24-hour time HH:MM such as 09:00, or empty")
        return value

    @field_validator("transfer_times")
    @classmethod
    def _clock_times(cls, values: tuple[str, ...]) -> tuple[str, ...]:
        bad = [v for v in values if not TIME_OF_DAY.fullmatch(v)]
        if bad or not values:
            raise ValueError("a non-empty list of 24-hour times HH:MM")
        return values

    @field_validator("log_alert_terms")
    @classmethod
    def _log_alert_terms(cls, values: tuple[str, ...]) -> tuple[str, ...]:
        bad = [v for v in values if not _LOG_ALERT_TERM.fullmatch(v)]
        if bad:
            raise ValueError(
                f"1-64 character terms without double quotes or leading space, e.g. OOMKilled "
                f"(not {bad})"
            )
        repeated = sorted({v for v in values if values.count(v) > 1})
        if repeated:
            raise ValueError(f"each term listed once (repeated: {repeated})")
        return values

    @field_validator("scratch_cleanup_day")
    @classmethod
    def _weekday(cls, value: str) -> str:
        if value not in WEEKDAYS:
            raise ValueError(f"one of {', '.join(WEEKDAYS)}")
        return value

    @field_validator("log_retention_days")
    @classmethod
    def _log_retention(cls, value: int) -> int:
        if value not in LOG_RETENTION_DAYS:
            raise ValueError(f"a CloudWatch Logs retention: one of {LOG_RETENTION_DAYS}")
        return value

    @field_validator("eln_endpoint")
    @classmethod
    def _https(cls, value: str) -> str:
        if value and not value.startswith("https://"):
            raise ValueError("an https:// URL (TLS everywhere), or empty")
        return value

    # Deploying for real: account quota and runner reachability (README "Deploying for real")
    lambda_concurrency_quota: Annotated[
        int,
        Field(
            description=(
                "The account's Lambda concurrent-executions quota in primaryRegion (Service "
                "Quotas, Lambda); preview fails when below the stack's reservations plus 100."
            ),
            examples=["1000"],
            ge=0,
        ),
    ] = 1000
    deploy_runner: Annotated[
        str,
        Field(
            description=(
                "Label of the self-hosted runner inside the stack's VPC that deploys it, or "
                "github-hosted (then eksPublicAccessCidrs must admit it); <org>-<env>-vpc "
                "unless given."
            ),
            examples=["gen-prod-vpc"],
            pattern=r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$|^$",
        ),
    ] = ""

    @property
    def deploy_runner_label(self) -> str:
        """The runner label the workflow's jobs for this stack must run on."""
        return self.deploy_runner or f"{self.name_prefix}-vpc"

    # ---- cross-key rules ----

    def advisories(self) -> list[str]:
        """Settings that are allowed but deserve a warning on every preview and update."""
        advice = []
        if self.environment != "prod" and not self.alert_emails:
            advice.append(
                "genomics:alertEmails is empty: the stack's alarms notify topics with no "
                "subscriber (fix: pulumi config set --path 'genomics:alertEmails[0]' "
                "you@example.org)"
            )
        return advice

    def cross_key_problems(self) -> list[tuple[str, object, str, str]]:
        """Problems that involve several keys: (key, value, expected, example) tuples."""
        problems: list[tuple[str, object, str, str]] = []
        if self.environment not in ENVIRONMENTS:  # pragma: no cover - Literal already guards
            problems.append(("environment", self.environment, "dev|staging|prod", "prod"))
        if self.eln_endpoint and not self.eln_api_key_secret_arn:
            problems.append(
                (
                    "elnApiKeySecretArn",
                    "",
                    "the ELN API key secret when elnEndpoint is set",
                    "arn:aws:secretsmanager:ap-south-1:123456789012:secret:eln-api-key-AbCdEf",
                )
            )
        # The SMB share authenticates through Active Directory: a gateway with no domain join
        # cannot create it, so an activation key needs all three join settings.
        if self.storage_gateway_activation_key:
            join = {
                "storageGatewayAdDomain": (self.storage_gateway_ad_domain, "lab.example.org"),
                "storageGatewayAdUsername": (self.storage_gateway_ad_username, "sgw-join"),
                "storageGatewayAdPasswordSecretArn": (
                    self.storage_gateway_ad_password_secret_arn,
                    "arn:aws:secretsmanager:ap-south-1:123456789012:secret:sgw-join-AbCdEf",
                ),
            }
            for key, (value, example) in join.items():
                if not value:
                    problems.append(
                        (key, "", "set when storageGatewayActivationKey is set", example)
                    )
        if self.datazone_enabled and not self.research_groups:
            problems.append(
                (
                    "researchGroups",
                    [],
                    "at least one research group when datazoneEnabled",
                    '\'[{"name":"tb-team","projects":["tb-genomics"],"classifications":["restricted"]}]\'',
                )
            )
        # Every alarm notifies the alerts topics; in prod a topic nobody subscribes to turns
        # each alarm into silence (dev gets an advisory instead: see `advisories`).
        if self.environment == "prod" and not self.alert_emails:
            problems.append(
                (
                    "alertEmails",
                    [],
                    "at least one address in prod: every alarm notifies the alerts topics, "
                    "and a topic without a subscriber tells no one",
                    "'[\"genomics-oncall@example.org\"]'",
                )
            )
        # HealthOmics is built in primaryRegion; AWS does not offer it everywhere (not in
        # India), and botocore's endpoint data says where it is.
        omics_regions = offering_regions("omics")
        if self.healthomics_enabled and self.primary_region not in omics_regions:
            problems.append(
                (
                    "healthomicsEnabled",
                    True,
                    f"false: AWS does not offer HealthOmics in primaryRegion "
                    f"{self.primary_region} (offered in {', '.join(sorted(omics_regions))})",
                    "false",
                )
            )
        if self.dr_region == self.primary_region:
            problems.append(
                ("drRegion", self.dr_region, "a region other than primaryRegion", "ap-south-2")
            )
        for key, region in (("primaryRegion", self.primary_region), ("drRegion", self.dr_region)):
            if region not in self.allowed_regions:
                problems.append(
                    (
                        key,
                        region,
                        f"one of allowedRegions {list(self.allowed_regions)}",
                        "ap-south-1",
                    )
                )
        if self.deploy_runner == GITHUB_HOSTED_RUNNER and not self.eks_public_access_cidrs:
            problems.append(
                (
                    "deployRunner",
                    self.deploy_runner,
                    "a self-hosted runner label inside the VPC: a GitHub-hosted runner cannot "
                    "reach the cluster's private API endpoint (eksPublicAccessCidrs is empty)",
                    f"{self.name_prefix}-vpc",
                )
            )
        if self.efs_gid_range_start >= self.efs_gid_range_end:
            problems.append(
                (
                    "efsGidRangeEnd",
                    self.efs_gid_range_end,
                    f"greater than efsGidRangeStart ({self.efs_gid_range_start})",
                    "59999",
                )
            )
        if self.efs_throughput_mode == "provisioned" and self.efs_provisioned_mibps == 0:
            problems.append(
                (
                    "efsProvisionedMibps",
                    0,
                    "a positive MiB/s when efsThroughputMode is provisioned",
                    "256",
                )
            )
        if self.existing_vpc_id and len(self.existing_private_subnet_ids) < 2:
            problems.append(
                (
                    "existingPrivateSubnetIds",
                    list(self.existing_private_subnet_ids),
                    "at least two subnets in different AZs with existingVpcId",
                    '\'["subnet-0a1","subnet-0b2"]\'',
                )
            )
        if self.existing_private_subnet_ids and not self.existing_vpc_id:
            problems.append(
                (
                    "existingVpcId",
                    "",
                    "the VPC of existingPrivateSubnetIds",
                    "vpc-0abc1234def567890",
                )
            )
        if self.backup_vault_lock and self.environment == "dev":
            problems.append(
                (
                    "backupVaultLock",
                    True,
                    "false in dev (a locked vault cannot be torn down)",
                    "false",
                )
            )
        if (
            self.archive_access_days
            and self.deep_archive_access_days
            and self.deep_archive_access_days <= self.archive_access_days
        ):
            problems.append(
                (
                    "deepArchiveAccessDays",
                    self.deep_archive_access_days,
                    f"more than archiveAccessDays ({self.archive_access_days})",
                    "180",
                )
            )
        if 0 < self.archive_access_days < 90:
            problems.append(
                (
                    "archiveAccessDays",
                    self.archive_access_days,
                    "0 or at least 90 (S3 minimum)",
                    "90",
                )
            )
        if 0 < self.deep_archive_access_days < 180:
            problems.append(
                (
                    "deepArchiveAccessDays",
                    self.deep_archive_access_days,
                    "0 or at least 180 (S3 minimum)",
                    "180",
                )
            )
        if bool(self.lab_api_domain_name) != bool(self.lab_api_certificate_arn):
            problems.append(
                (
                    "labApiCertificateArn",
                    self.lab_api_certificate_arn,
                    "set together with labApiDomainName",
                    "arn:aws:acm:ap-south-1:123456789012:certificate/abc",
                )
            )
        seen: set[str] = set()
        for index, group in enumerate(self.node_groups):
            if group.name in seen:
                problems.append(
                    (
                        f"nodeGroups[{index}].name",
                        group.name,
                        "a node group name not used by an earlier group",
                        f"{group.name}-{index}",
                    )
                )
            seen.add(group.name)
        for index, research in enumerate(self.research_groups):
            unknown = [p for p in research.projects if p not in self.projects]
            if unknown:
                problems.append(
                    (
                        f"researchGroups[{index}].projects",
                        unknown,
                        f"projects listed in projects {list(self.projects)}",
                        '["tb-genomics"]',
                    )
                )
        return problems

    # ---- derived values the program needs ----

    @property
    def name_prefix(self) -> str:
        """Prefix of every physical resource name, e.g. `gen-prod`."""
        return resource_prefix(self.org, self.environment)

    @property
    def resource_tags(self) -> dict[str, str]:
        """Tags every cloud resource carries, applied as provider default tags."""
        return {
            TagKey.PROJECT.value: PLATFORM_PROJECT,
            TagKey.ENVIRONMENT.value: self.environment,
            TagKey.OWNER.value: self.owner,
            TagKey.COST_CENTER.value: self.cost_center,
            TagKey.MANAGED_BY.value: "pulumi",
        }

    @property
    def deletion_protection(self) -> bool:
        """Prod's stateful resources (cluster, metadata table) refuse deletion."""
        return self.environment == "prod"

    @property
    def nat_gateways(self) -> Literal["one-per-az", "single"]:
        """The network's NAT layout from `natGatewayPerAz`."""
        return "one-per-az" if self.nat_gateway_per_az else "single"

    @property
    def storage_gateway_enabled(self) -> bool:
        """A gateway can only be built when an activated appliance exists."""
        return bool(self.storage_gateway_activation_key)

"""The sequencing data lake: protected buckets per data category, DR replicas, ABAC access.

Each data category of the taxonomy gets a bucket in the primary region (Mumbai) and a replica
in the DR region (Hyderabad), both SSE-KMS under a customer managed key of their region,
versioned, TLS-1.2-only, private, access-logged, tiered and with request metrics; the raw
sequence bucket is WORM (Object Lock). Replication runs both ways with Replication Time Control:
Mumbai to Hyderabad so the lake survives the loss of Mumbai with a 15-minute objective, and
Hyderabad back to Mumbai (S3's two-way replication with replica modification sync) so changes
made to the replicas while failed over, and tag or metadata changes on either side, reach the
primary buckets for fail-back. S3 never re-replicates a replica, so the two rules do not loop.

Research groups get one role each. Access is attribute based: a session carries a `project`
session tag (one of the group's projects, chosen at AssumeRole), and the role reads only
objects whose `project` tag equals it and whose `data-classification` tag is one the group
is cleared for. People upload new objects only under `projects/<project>/` and only already
tagged with their project and the bucket's data type and classification. Only the object
tagger may change the tags of existing objects, because the tags are the access control.
See docs/data-lake.md.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Final, Literal, NotRequired, TypedDict

import pulumi
import pulumi_aws as aws

from components.blocks.iam_documents import PolicyDocument, service_trust_policy
from components.data_lake.buckets import (
    BucketSpec,
    LifecycleSettings,
    ObjectLockSettings,
    ProtectedBucket,
    create_protected_bucket,
)
from components.data_lake.policies import (
    BucketPolicyOptions,
    ReplicationPair,
    ResearchAccess,
    UploadTarget,
    bucket_policy,
    key_policy,
    replication_policy,
    research_access_policy,
    research_trust_policy,
)
from contracts.facts import NAME_PREFIX
from contracts.names import bucket_name, is_project_slug, tagger_role_name
from contracts.taxonomy import CATEGORIES, CLASSIFICATIONS, PLATFORM_PROJECT, DataCategory

REPLICATION_RULE_ID: Final = "to-dr-region"
"""Rule id of each bucket's replication to the DR region (a CloudWatch RuleId dimension)."""
FAILBACK_RULE_ID: Final = "to-primary-region"
"""Rule id of each replica's replication back to the primary region."""

__all__ = [
    "FAILBACK_RULE_ID",
    "REPLICATION_RULE_ID",
    "DataLake",
    "DataLakeArgs",
    "DataLakeArgsError",
    "ResearchGroup",
    "default_tagger_role_name",
]

TRANSFER_REPORTS_SLUG: Final = "transfer-reports"
ACCESS_LOGS_SLUG: Final = "access-logs"
REPLICATION_TIME_MINUTES: Final = 15
"""S3 Replication Time Control offers exactly one objective: 99.99 % of objects in 15 minutes."""

_REGION = re.compile(r"^[a-z]{2}(-gov)?-[a-z]+-\d$")
_GROUP = re.compile(r"^[a-z][a-z0-9-]{1,40}$")
_ROLE_ARN = re.compile(r"^arn:aws[\w-]*:iam::\d{12}:role/[\w+=,.@/-]+$")


class ResearchGroup(TypedDict):
    """A research group: the projects it works on and the classifications it may read."""

    name: str
    """Lowercase group name; names the role `<prefix>-research-<name>`."""
    projects: Sequence[str]
    """Project slugs the group's sessions may tag themselves with."""
    classifications: Sequence[str]
    """`data-classification` values the group may read and upload."""


class DataLakeArgs(TypedDict):
    """Inputs of the data lake. Only the naming prefix is required; the rest is secure."""

    name_prefix: str
    """Start of every physical name, e.g. `gen-prod`; buckets are `<prefix>-<slug>-<region>`."""
    primary_region: NotRequired[str]
    """Region of the live buckets (default ap-south-1, Mumbai)."""
    dr_region: NotRequired[str]
    """Region of the replicas (default ap-south-2, Hyderabad)."""
    research_groups: NotRequired[Sequence[ResearchGroup]]
    """Groups that get an ABAC research role (default none)."""
    tagger_role_arns: NotRequired[Sequence[pulumi.Input[str]]]
    """The only principals that may write object tags (default the role named by
    `default_tagger_role_name` in this account)."""
    trusted_principal_arns: NotRequired[Sequence[pulumi.Input[str]]]
    """Who may assume research roles, with MFA (default this account's root, i.e. whichever
    of its principals an identity policy allows to)."""
    noncurrent_version_days: NotRequired[int]
    """Days a replaced or deleted object version is kept (default 90)."""
    archive_access_days: NotRequired[int]
    """Days without access before Intelligent-Tiering archives; 0 turns it off (default 90)."""
    deep_archive_access_days: NotRequired[int]
    """Days before Intelligent-Tiering deep-archives; 0 turns it off (default 180)."""
    object_lock_mode: NotRequired[Literal["GOVERNANCE", "COMPLIANCE"]]
    """WORM mode of raw data (default GOVERNANCE: COMPLIANCE cannot be undone, even by root,
    so a stack must choose it explicitly)."""
    object_lock_days: NotRequired[int]
    """Default retention of raw sequence objects in days (default 365)."""
    access_log_retention_days: NotRequired[int]
    """Days server access logs are kept (default 365)."""


class DataLakeArgsError(ValueError):
    """DataLakeArgs that cannot build a safe lake; the message names the input and the fix."""


default_tagger_role_name = tagger_role_name
"""The tagger role the lake trusts unless `tagger_role_arns` is given (contracts.names)."""


class DataLake(pulumi.ComponentResource):
    """Buckets, keys, replication and research roles of the genomics data lake."""

    bucket_names: pulumi.Output[dict[str, dict[str, str]]]
    """Data bucket names by category (`raw_sequence`, ...) and then region."""
    bucket_arns: pulumi.Output[dict[str, dict[str, str]]]
    """Data bucket ARNs by category and then region."""
    reports_bucket: pulumi.Output[str]
    """Primary bucket of the `analysis_report` category."""
    transfer_reports_bucket: pulumi.Output[str]
    """Bucket DataSync writes its task reports to."""
    transfer_reports_bucket_arn: pulumi.Output[str]
    access_logs_bucket: pulumi.Output[str]
    """Primary-region bucket that receives every primary bucket's server access logs."""
    primary_key_arn: pulumi.Output[str]
    """KMS key of the primary buckets."""
    dr_key_arn: pulumi.Output[str]
    """KMS key of the replica buckets."""
    replication_role_arn: pulumi.Output[str]
    """Role S3 uses to replicate the primary buckets to the replicas."""
    failback_replication_role_arn: pulumi.Output[str]
    """Role S3 uses to replicate the replicas back to the primary buckets."""
    research_role_arns: pulumi.Output[dict[str, str]]
    """Research role ARN by group name."""

    def __init__(
        self, name: str, args: DataLakeArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        self._name = name
        self._prefix = args["name_prefix"]
        self._primary = args.get("primary_region", "ap-south-1")
        self._dr = args.get("dr_region", "ap-south-2")
        self._groups = tuple(args.get("research_groups", ()))
        self._lifecycle = LifecycleSettings(
            noncurrent_version_days=args.get("noncurrent_version_days", 90),
            archive_access_days=args.get("archive_access_days", 90),
            deep_archive_access_days=args.get("deep_archive_access_days", 180),
        )
        self._lock = ObjectLockSettings(
            mode=args.get("object_lock_mode", "GOVERNANCE"),
            days=args.get("object_lock_days", 365),
        )
        self._log_retention_days = args.get("access_log_retention_days", 365)
        # Validate before registering, so bad input leaves nothing half-declared behind.
        _validate(args, self._prefix, self._primary, self._dr, self._groups, self._lifecycle)
        self._validate_lock_and_logs()
        super().__init__("genomics:data:DataLake", name, None, opts)

        invoke = pulumi.InvokeOutputOptions(parent=self)
        self._account = aws.get_caller_identity_output(opts=invoke).account_id
        self._partition = aws.get_partition_output(opts=invoke).partition
        account_root = pulumi.Output.concat(
            "arn:", self._partition, ":iam::", self._account, ":root"
        )
        self._taggers: Sequence[pulumi.Input[str]] = args.get("tagger_role_arns") or (
            pulumi.Output.concat(
                "arn:",
                self._partition,
                ":iam::",
                self._account,
                ":role/",
                default_tagger_role_name(self._prefix),
            ),
        )
        trusted = args.get("trusted_principal_arns") or (account_root,)

        primary_key = self._create_key("key", self._primary, account_root)
        dr_key = self._create_key("dr-key", self._dr, account_root)
        logs = {
            self._primary: self._create_access_logs(ACCESS_LOGS_SLUG, self._primary),
            self._dr: self._create_access_logs(f"{ACCESS_LOGS_SLUG}-dr", self._dr),
        }
        sources = {
            c.name: self._create_data_bucket(
                c, c.bucket_slug, self._primary, primary_key, logs, uploads=True
            )
            for c in CATEGORIES
        }
        replicas = {
            c.name: self._create_data_bucket(
                c, f"{c.bucket_slug}-dr", self._dr, dr_key, logs, uploads=False
            )
            for c in CATEGORIES
        }
        transfer_reports = self._create_transfer_reports(primary_key, logs)
        replication_role = self._create_replication(
            _Direction(sources, replicas, primary_key, dr_key, self._primary, self._dr)
        )
        failback_role = self._create_replication(
            _Direction(replicas, sources, dr_key, primary_key, self._dr, self._primary),
            failback=True,
        )
        research_roles = {
            group["name"]: self._create_research_role(
                group, trusted, sources, replicas, primary_key, dr_key
            )
            for group in self._groups
        }

        self.bucket_names = _by_category_and_region(
            {c: (sources[c].bucket.bucket, replicas[c].bucket.bucket) for c in sources},
            self._primary,
            self._dr,
        )
        self.bucket_arns = _by_category_and_region(
            {c: (sources[c].bucket.arn, replicas[c].bucket.arn) for c in sources},
            self._primary,
            self._dr,
        )
        self.reports_bucket = sources["analysis_report"].bucket.bucket
        self.transfer_reports_bucket = transfer_reports.bucket.bucket
        self.transfer_reports_bucket_arn = transfer_reports.bucket.arn
        self.access_logs_bucket = logs[self._primary].bucket.bucket
        self.primary_key_arn = primary_key.arn
        self.dr_key_arn = dr_key.arn
        self.replication_role_arn = replication_role.arn
        self.failback_replication_role_arn = failback_role.arn
        self.research_role_arns = pulumi.Output.all(
            **{group: role.arn for group, role in research_roles.items()}
        ).apply(dict)
        self.register_outputs(
            {
                "bucket_names": self.bucket_names,
                "bucket_arns": self.bucket_arns,
                "reports_bucket": self.reports_bucket,
                "transfer_reports_bucket": self.transfer_reports_bucket,
                "transfer_reports_bucket_arn": self.transfer_reports_bucket_arn,
                "access_logs_bucket": self.access_logs_bucket,
                "primary_key_arn": self.primary_key_arn,
                "dr_key_arn": self.dr_key_arn,
                "replication_role_arn": self.replication_role_arn,
                "failback_replication_role_arn": self.failback_replication_role_arn,
                "research_role_arns": self.research_role_arns,
            }
        )

    # ---- keys ----

    def _create_key(self, role: str, region: str, account_root: pulumi.Output[str]) -> aws.kms.Key:
        key = aws.kms.Key(
            f"{self._name}-{role}",
            description=f"{self._prefix} data lake objects in {region}",
            region=region,
            enable_key_rotation=True,
            deletion_window_in_days=30,
            policy=key_policy(account_root).render(),
            opts=pulumi.ResourceOptions(parent=self),
        )
        aws.kms.Alias(
            f"{self._name}-{role}-alias",
            name=f"alias/{self._prefix}-data-lake",
            target_key_id=key.key_id,
            region=region,
            opts=pulumi.ResourceOptions(parent=self),
        )
        return key

    # ---- buckets ----

    def _create_access_logs(self, role: str, region: str) -> ProtectedBucket:
        name = bucket_name(self._prefix, ACCESS_LOGS_SLUG, region)
        sources = [
            pulumi.Output.concat(
                "arn:", self._partition, ":s3:::", bucket_name(self._prefix, slug, region)
            )
            for slug in self._logged_slugs(region)
        ]

        def policy(arn: pulumi.Output[str]) -> PolicyDocument:
            return bucket_policy(
                arn,
                BucketPolicyOptions(
                    log_source_account=self._account, log_source_bucket_arns=sources
                ),
            )

        return create_protected_bucket(
            self._name,
            BucketSpec(
                role=role,
                bucket_name=name,
                region=region,
                kms_key_arn=None,
                log_target_bucket=None,
                policy=policy,
                expire_current_days=self._log_retention_days,
            ),
            self._lifecycle,
            self,
        )

    def _logged_slugs(self, region: str) -> list[str]:
        slugs = [c.bucket_slug for c in CATEGORIES]
        return [*slugs, TRANSFER_REPORTS_SLUG] if region == self._primary else slugs

    def _create_data_bucket(
        self,
        category: DataCategory,
        role: str,
        region: str,
        key: aws.kms.Key,
        logs: dict[str, ProtectedBucket],
        *,
        uploads: bool,
    ) -> ProtectedBucket:
        """A data bucket; `uploads` (primary buckets) sends its events to EventBridge, where
        the tagger hears of every object people or services create."""

        def policy(arn: pulumi.Output[str]) -> PolicyDocument:
            return bucket_policy(
                arn,
                BucketPolicyOptions(
                    kms_key_arn=key.arn,
                    tagger_role_arns=self._taggers,
                ),
            )

        return create_protected_bucket(
            self._name,
            BucketSpec(
                role=role,
                bucket_name=bucket_name(self._prefix, category.bucket_slug, region),
                region=region,
                kms_key_arn=key.arn,
                log_target_bucket=logs[region].bucket.bucket,
                policy=policy,
                object_lock=self._lock if category.worm else None,
                eventbridge=uploads,
            ),
            self._lifecycle,
            self,
        )

    def _create_transfer_reports(
        self, key: aws.kms.Key, logs: dict[str, ProtectedBucket]
    ) -> ProtectedBucket:
        def policy(arn: pulumi.Output[str]) -> PolicyDocument:
            return bucket_policy(arn, BucketPolicyOptions(kms_key_arn=key.arn))

        return create_protected_bucket(
            self._name,
            BucketSpec(
                role=TRANSFER_REPORTS_SLUG,
                bucket_name=bucket_name(self._prefix, TRANSFER_REPORTS_SLUG, self._primary),
                region=self._primary,
                kms_key_arn=key.arn,
                log_target_bucket=logs[self._primary].bucket.bucket,
                policy=policy,
            ),
            self._lifecycle,
            self,
        )

    # ---- replication ----

    def _create_replication(self, direction: _Direction, *, failback: bool = False) -> aws.iam.Role:
        """Replicate every `direction.sources` bucket to its twin in `direction.destinations`.

        Called twice: primary → DR, and DR → primary (`failback`). That pair, each with replica
        modification sync, is what S3 documents as two-way replication. It does not loop:
        S3 replicates only objects created in the bucket, never objects that arrived as
        replicas (replication status REPLICA); replica modification sync carries metadata and
        tag changes made on a replica back, once.
        """
        role_name = "replication-failback" if failback else "replication"
        towards = "primary" if failback else "DR"
        role = aws.iam.Role(
            f"{self._name}-{role_name}",
            name=f"{self._prefix}-data-lake-{role_name}",
            description=f"S3 replication of the data lake to the {towards} region",
            assume_role_policy=service_trust_policy(
                "s3.amazonaws.com", self._account, sid="TrustS3Replication"
            ).render(),
            opts=pulumi.ResourceOptions(parent=self),
        )
        sources, destinations = direction.sources, direction.destinations
        pairs = [
            ReplicationPair(
                source_arn=sources[c.name].bucket.arn,
                replica_arn=destinations[c.name].bucket.arn,
                worm=c.worm,
            )
            for c in CATEGORIES
        ]
        role_policy = aws.iam.RolePolicy(
            f"{self._name}-{role_name}-policy",
            role=role.id,
            policy=replication_policy(
                pairs,
                source_key_arn=direction.source_key.arn,
                replica_key_arn=direction.destination_key.arn,
                source_region=direction.source_region,
                replica_region=direction.destination_region,
            ).render(),
            opts=pulumi.ResourceOptions(parent=self),
        )
        rule_id = FAILBACK_RULE_ID if failback else REPLICATION_RULE_ID
        for category in CATEGORIES:
            source, destination = sources[category.name], destinations[category.name]
            suffix = "-dr-replication" if failback else "-replication"
            aws.s3.BucketReplicationConfig(
                f"{self._name}-{category.bucket_slug}{suffix}",
                bucket=source.bucket.id,
                region=direction.source_region,
                role=role.arn,
                rules=[
                    _replication_rule(
                        rule_id, destination.bucket.arn, direction.destination_key.arn
                    )
                ],
                # S3 refuses a replication configuration unless both buckets are versioned,
                # and the first replications fail until the role can read and write.
                opts=pulumi.ResourceOptions(
                    parent=self,
                    depends_on=[source.versioning, destination.versioning, role_policy],
                ),
            )
        return role

    # ---- research access ----

    def _create_research_role(
        self,
        group: ResearchGroup,
        trusted: Sequence[pulumi.Input[str]],
        sources: dict[str, ProtectedBucket],
        replicas: dict[str, ProtectedBucket],
        primary_key: aws.kms.Key,
        dr_key: aws.kms.Key,
    ) -> aws.iam.Role:
        group_name = group["name"]
        role = aws.iam.Role(
            f"{self._name}-research-{group_name}",
            name=f"{self._prefix}-research-{group_name}",
            description=f"ABAC data access of research group {group_name}",
            assume_role_policy=research_trust_policy(
                trusted, group_name, group["projects"]
            ).render(),
            max_session_duration=3600,
            opts=pulumi.ResourceOptions(parent=self),
        )
        access = ResearchAccess(
            projects=group["projects"],
            classifications=group["classifications"],
            readable_bucket_arns=[
                *(b.bucket.arn for b in sources.values()),
                *(b.bucket.arn for b in replicas.values()),
            ],
            # The WORM raw bucket is included: its default retention applies to every new
            # version, and setting retention explicitly needs s3:PutObjectRetention, which the
            # role lacks, so an upload can neither skip nor shorten the lock.
            upload_targets=[
                UploadTarget(bucket_arn=sources[c.name].bucket.arn, category=c) for c in CATEGORIES
            ],
            keys_by_region=[(self._primary, primary_key.arn), (self._dr, dr_key.arn)],
        )
        aws.iam.RolePolicy(
            f"{self._name}-research-{group_name}-access",
            role=role.id,
            policy=research_access_policy(access).render(),
            opts=pulumi.ResourceOptions(parent=self),
        )
        return role

    # ---- validation ----

    def _validate_lock_and_logs(self) -> None:
        if self._lock.mode not in ("GOVERNANCE", "COMPLIANCE"):
            _fail("object_lock_mode", self._lock.mode, "GOVERNANCE or COMPLIANCE")
        if not 1 <= self._lock.days <= 36500:
            _fail("object_lock_days", self._lock.days, "1-36500 days, e.g. 365")
        if self._log_retention_days < 1:
            _fail("access_log_retention_days", self._log_retention_days, "at least 1, e.g. 365")


@dataclass(frozen=True, slots=True)
class _Direction:
    """One direction of the lake's two-way replication."""

    sources: dict[str, ProtectedBucket]
    destinations: dict[str, ProtectedBucket]
    source_key: aws.kms.Key
    destination_key: aws.kms.Key
    source_region: str
    destination_region: str


def _replication_rule(
    rule_id: str, replica_arn: pulumi.Input[str], replica_key_arn: pulumi.Input[str]
) -> aws.s3.BucketReplicationConfigRuleArgs:
    enabled = "Enabled"
    return aws.s3.BucketReplicationConfigRuleArgs(
        id=rule_id,
        status=enabled,
        priority=1,
        # An empty prefix filter selects the V2 rule schema that delete-marker replication and
        # Replication Time Control need.
        filter=aws.s3.BucketReplicationConfigRuleFilterArgs(prefix=""),
        delete_marker_replication=aws.s3.BucketReplicationConfigRuleDeleteMarkerReplicationArgs(
            status=enabled
        ),
        source_selection_criteria=aws.s3.BucketReplicationConfigRuleSourceSelectionCriteriaArgs(
            sse_kms_encrypted_objects=aws.s3.BucketReplicationConfigRuleSourceSelectionCriteriaSseKmsEncryptedObjectsArgs(
                status=enabled
            ),
            replica_modifications=aws.s3.BucketReplicationConfigRuleSourceSelectionCriteriaReplicaModificationsArgs(
                status=enabled
            ),
        ),
        destination=aws.s3.BucketReplicationConfigRuleDestinationArgs(
            bucket=replica_arn,
            encryption_configuration=aws.s3.BucketReplicationConfigRuleDestinationEncryptionConfigurationArgs(
                replica_kms_key_id=replica_key_arn
            ),
            replication_time=aws.s3.BucketReplicationConfigRuleDestinationReplicationTimeArgs(
                status=enabled,
                time=aws.s3.BucketReplicationConfigRuleDestinationReplicationTimeTimeArgs(
                    minutes=REPLICATION_TIME_MINUTES
                ),
            ),
            metrics=aws.s3.BucketReplicationConfigRuleDestinationMetricsArgs(
                status=enabled,
                event_threshold=aws.s3.BucketReplicationConfigRuleDestinationMetricsEventThresholdArgs(
                    minutes=REPLICATION_TIME_MINUTES
                ),
            ),
        ),
    )


def _by_category_and_region(
    pairs: dict[str, tuple[pulumi.Output[str], pulumi.Output[str]]], primary: str, dr: str
) -> pulumi.Output[dict[str, dict[str, str]]]:
    flat = {f"{c}|{i}": value for c, pair in pairs.items() for i, value in enumerate(pair)}

    def nest(resolved: dict[str, str]) -> dict[str, dict[str, str]]:
        regions = (primary, dr)
        nested: dict[str, dict[str, str]] = {}
        for key, value in resolved.items():
            category, index = key.split("|")
            nested.setdefault(category, {})[regions[int(index)]] = value
        return nested

    return pulumi.Output.all(**flat).apply(nest)


# ---- validation ----


def _fail(field: str, value: object, expected: str) -> None:
    raise DataLakeArgsError(f"DataLakeArgs.{field} is {value!r}; expected {expected}")


def _validate(
    args: DataLakeArgs,
    prefix: str,
    primary: str,
    dr: str,
    groups: Sequence[ResearchGroup],
    lifecycle: LifecycleSettings,
) -> None:
    """Refuse inputs that would fail at deploy time or weaken the lake, naming the fix."""
    if not NAME_PREFIX.fullmatch(prefix):
        _fail("name_prefix", prefix, "lowercase letters, digits and hyphens, e.g. gen-prod")
    for field, region in (("primary_region", primary), ("dr_region", dr)):
        if not _REGION.fullmatch(region):
            _fail(field, region, "an AWS region code such as ap-south-1")
    if primary == dr:
        _fail("dr_region", dr, "a region other than primary_region, e.g. ap-south-2")
    slugs = [c.bucket_slug for c in CATEGORIES] + [TRANSFER_REPORTS_SLUG, ACCESS_LOGS_SLUG]
    longest = max((bucket_name(prefix, s, r) for s in slugs for r in (primary, dr)), key=len)
    if len(longest) > 63:
        _fail("name_prefix", prefix, f"a shorter prefix: bucket {longest!r} exceeds 63 chars")
    if lifecycle.noncurrent_version_days < 1:
        _fail("noncurrent_version_days", lifecycle.noncurrent_version_days, "at least 1")
    archive, deep = lifecycle.archive_access_days, lifecycle.deep_archive_access_days
    if archive and not 90 <= archive <= 730:
        _fail("archive_access_days", archive, "0 (off) or 90-730 days (S3 limits)")
    if deep and not 180 <= deep <= 730:
        _fail("deep_archive_access_days", deep, "0 (off) or 180-730 days (S3 limits)")
    if archive and deep and deep <= archive:
        _fail("deep_archive_access_days", deep, f"more than archive_access_days ({archive})")
    if "tagger_role_arns" in args and not args["tagger_role_arns"]:
        _fail("tagger_role_arns", [], "at least one role ARN, or leave it out for the default")
    for arn in args.get("tagger_role_arns", ()):
        if isinstance(arn, str) and not _ROLE_ARN.fullmatch(arn):
            _fail("tagger_role_arns", arn, "IAM role ARNs such as arn:aws:iam::123456789012:role/x")
    _validate_groups(groups)


def _validate_groups(groups: Sequence[ResearchGroup]) -> None:
    names = [g["name"] for g in groups]
    if len(set(names)) != len(names):
        _fail("research_groups", names, "unique group names")
    for index, group in enumerate(groups):
        field = f"research_groups[{index}]"
        if not _GROUP.fullmatch(group["name"]):
            _fail(f"{field}.name", group["name"], "2-41 lowercase letters, digits, hyphens")
        projects = list(group["projects"])
        if not projects:
            _fail(f"{field}.projects", projects, "at least one project slug")
        bad = [p for p in projects if not is_project_slug(p) or p == PLATFORM_PROJECT]
        if bad:
            _fail(
                f"{field}.projects",
                bad,
                f"research project slugs (not {PLATFORM_PROJECT!r}, the platform's own tag)",
            )
        classes = list(group["classifications"])
        unknown = [c for c in classes if c not in CLASSIFICATIONS]
        if not classes or unknown:
            _fail(f"{field}.classifications", classes, f"a subset of {list(CLASSIFICATIONS)}")

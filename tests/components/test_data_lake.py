"""DataLake under the platform mocks: bucket protections, replication, ABAC research access."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pulumi
import pytest

from components.data_lake.lake import DataLake, DataLakeArgs, DataLakeArgsError
from components.data_lake.policies import DATA_READ_ACTIONS, TAG_WRITE_ACTIONS, UPLOAD_ACTIONS
from contracts.names import tagger_role_name
from contracts.taxonomy import CATEGORIES, category_by_name
from tests.support.harness import Registered, json_input, record
from tools.iam_lint import lint_recorded
from tools.preview.program import RecordedResource

ACCOUNT = "111122223333"
PRIMARY, DR = "ap-south-1", "ap-south-2"
DATA_SLUGS = [c.bucket_slug for c in CATEGORIES]
RAW_SLUGS = [c.bucket_slug for c in CATEGORIES if c.worm]
GROUP = {
    "name": "tb-lab",
    "projects": ["tb-genomics", "rare-disease"],
    "classifications": ["internal", "restricted"],
}
BASE_ARGS: DataLakeArgs = {
    "name_prefix": "gen-prod",
    "research_groups": [GROUP],  # type: ignore[list-item]
    "archive_access_days": 120,
    "deep_archive_access_days": 240,
    "noncurrent_version_days": 45,
    "object_lock_mode": "COMPLIANCE",
    "object_lock_days": 400,
}

BUCKET = "aws:s3/bucket:Bucket"
POLICY = "aws:s3/bucketPolicy:BucketPolicy"


def _name(slug: str, region: str) -> str:
    return f"gen-prod-{slug}-{region}"


ALL_BUCKETS = [
    _name(slug, region)
    for region in (PRIMARY, DR)
    for slug in [*DATA_SLUGS, "access-logs"] + (["transfer-reports"] if region == PRIMARY else [])
]
DATA_BUCKETS = [_name(slug, region) for region in (PRIMARY, DR) for slug in DATA_SLUGS]
LOG_BUCKETS = [_name("access-logs", region) for region in (PRIMARY, DR)]


@pytest.fixture(scope="module")
def built() -> tuple[Registered, dict[str, Any]]:
    """The lake built from BASE_ARGS, recorded once per module."""
    return _build(BASE_ARGS)


@pytest.fixture(scope="module")
def lake(built: tuple[Registered, dict[str, Any]]) -> Registered:
    """Registrations of the lake built from BASE_ARGS."""
    return built[0]


@pytest.fixture(scope="module")
def outputs(built: tuple[Registered, dict[str, Any]]) -> dict[str, Any]:
    """Resolved outputs of the lake built from BASE_ARGS."""
    return built[1]


def _build(args: DataLakeArgs) -> tuple[Registered, dict[str, Any]]:
    resolved: dict[str, Any] = {}

    def build() -> None:
        component = DataLake("lake", args)
        for attribute in (
            "bucket_names",
            "bucket_arns",
            "reports_bucket",
            "transfer_reports_bucket",
            "access_logs_bucket",
            "primary_key_arn",
            "dr_key_arn",
            "research_role_arns",
        ):
            output: pulumi.Output[Any] = getattr(component, attribute)
            output.apply(_store(resolved, attribute))

    return record(build), resolved


def _store(into: dict[str, Any], key: str) -> Callable[[Any], None]:
    def store(value: Any) -> None:
        into[key] = value

    return store


def _by_bucket(registered: Registered, type_token: str) -> dict[str, RecordedResource]:
    return {r.inputs["bucket"]: r for r in registered.of_type(type_token)}


def _policy(registered: Registered, bucket: str) -> dict[str, dict[str, Any]]:
    document = json_input(_by_bucket(registered, POLICY)[bucket], "policy")
    return {s["Sid"]: s for s in document["Statement"]}


def _research_statements(registered: Registered) -> dict[str, dict[str, Any]]:
    policy = registered.one("aws:iam/rolePolicy:RolePolicy", "lake-research-tb-lab-access")
    return {s["Sid"]: s for s in json_input(policy, "policy")["Statement"]}


def _as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


# ---- buckets ----


def test_buckets_are_named_by_category_and_region(lake: Registered) -> None:
    """Every category has a primary and a DR bucket; operational buckets exist beside them."""
    names = sorted(r.inputs["bucket"] for r in lake.of_type(BUCKET))
    assert names == sorted(ALL_BUCKETS)


def test_every_bucket_policy_denies_plain_http(lake: Registered) -> None:
    """Each bucket denies every principal any S3 action without TLS."""
    for bucket in ALL_BUCKETS:
        statement = _policy(lake, bucket)["DenyInsecureTransport"]
        assert statement["Effect"] == "Deny"
        assert statement["Principal"] == "*"
        assert statement["Action"] == "s3:*"
        assert statement["Condition"] == {"Bool": {"aws:SecureTransport": "false"}}


def test_every_bucket_policy_denies_tls_older_than_1_2(lake: Registered) -> None:
    """Each bucket denies requests made over TLS 1.0 or 1.1."""
    for bucket in ALL_BUCKETS:
        statement = _policy(lake, bucket)["DenyOutdatedTls"]
        assert statement["Effect"] == "Deny"
        assert statement["Condition"] == {"NumericLessThan": {"s3:TlsVersion": "1.2"}}
        assert statement["Resource"] == [f"arn:aws:s3:::{bucket}", f"arn:aws:s3:::{bucket}/*"]


def test_every_bucket_blocks_public_access_with_all_four_flags(lake: Registered) -> None:
    """Public ACLs and policies are blocked and ignored on every bucket."""
    blocks = _by_bucket(lake, "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock")
    assert sorted(blocks) == sorted(ALL_BUCKETS)
    for block in blocks.values():
        flags = ("blockPublicAcls", "blockPublicPolicy", "ignorePublicAcls")
        assert all(block.inputs[f] is True for f in (*flags, "restrictPublicBuckets"))


def test_kms_buckets_use_their_regions_key_with_a_bucket_key(lake: Registered) -> None:
    """All but the access-logs buckets default to SSE-KMS under the key of their region."""
    keys = {k.inputs["region"]: k.urn for k in lake.of_type("aws:kms/key:Key")}
    configs = _by_bucket(
        lake,
        "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration",
    )
    for bucket in set(ALL_BUCKETS) - set(LOG_BUCKETS):
        config = configs[bucket]
        (rule,) = config.inputs["rules"]
        default = rule["applyServerSideEncryptionByDefault"]
        assert default["sseAlgorithm"] == "aws:kms"
        assert default["kmsMasterKeyId"].startswith(f"arn:aws:kms:{config.inputs['region']}:")
        assert rule["bucketKeyEnabled"] is True
        assert keys[config.inputs["region"]] in config.dependencies


def test_access_logs_buckets_use_sse_s3(lake: Registered) -> None:
    """Server access logging only delivers to SSE-S3 buckets, so the log buckets use AES256."""
    configs = _by_bucket(
        lake,
        "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration",
    )
    for bucket in LOG_BUCKETS:
        (rule,) = configs[bucket].inputs["rules"]
        assert rule["applyServerSideEncryptionByDefault"] == {"sseAlgorithm": "AES256"}


def test_every_bucket_is_versioned(lake: Registered) -> None:
    """Versioning is enabled on every bucket (replication and recovery depend on it)."""
    versioning = _by_bucket(lake, "aws:s3/bucketVersioning:BucketVersioning")
    assert sorted(versioning) == sorted(ALL_BUCKETS)
    for resource in versioning.values():
        assert resource.inputs["versioningConfiguration"]["status"] == "Enabled"


def test_every_bucket_enforces_bucket_owner_ownership(lake: Registered) -> None:
    """ACLs are disabled everywhere: the bucket owner owns every object."""
    controls = _by_bucket(lake, "aws:s3/bucketOwnershipControls:BucketOwnershipControls")
    assert sorted(controls) == sorted(ALL_BUCKETS)
    for control in controls.values():
        assert control.inputs["rule"] == {"objectOwnership": "BucketOwnerEnforced"}


def test_every_bucket_but_the_log_buckets_logs_to_its_regions_log_bucket(
    lake: Registered,
) -> None:
    """Server access logs go to the access-logs bucket of the same region, by bucket prefix."""
    logging = _by_bucket(lake, "aws:s3/bucketLogging:BucketLogging")
    assert sorted(logging) == sorted(set(ALL_BUCKETS) - set(LOG_BUCKETS))
    for bucket, resource in logging.items():
        region = resource.inputs["region"]
        assert resource.inputs["targetBucket"] == _name("access-logs", region)
        assert resource.inputs["targetPrefix"] == f"{bucket}/"


def test_log_bucket_policy_admits_only_the_logging_service_of_this_account(
    lake: Registered,
) -> None:
    """logging.s3.amazonaws.com may write, only for this account's buckets of that region."""
    statement = _policy(lake, _name("access-logs", PRIMARY))["AllowServerAccessLogs"]
    assert statement["Principal"] == {"Service": "logging.s3.amazonaws.com"}
    assert statement["Action"] == "s3:PutObject"
    assert statement["Condition"]["StringEquals"] == {"aws:SourceAccount": ACCOUNT}
    sources = statement["Condition"]["ArnLike"]["aws:SourceArn"]
    logged = [_name(s, PRIMARY) for s in [*DATA_SLUGS, "transfer-reports"]]
    assert sorted(sources) == sorted(f"arn:aws:s3:::{b}" for b in logged)


def test_lifecycle_tiers_expires_old_versions_and_aborts_uploads(lake: Registered) -> None:
    """Objects move to Intelligent-Tiering; noncurrent versions and stale uploads go away."""
    lifecycles = _by_bucket(
        lake, "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration"
    )
    assert sorted(lifecycles) == sorted(ALL_BUCKETS)
    for lifecycle in lifecycles.values():
        (rule,) = lifecycle.inputs["rules"]
        assert rule["status"] == "Enabled"
        assert rule["transitions"] == [{"storageClass": "INTELLIGENT_TIERING", "days": 0}]
        assert rule["noncurrentVersionExpiration"] == {"noncurrentDays": 45}
        assert rule["abortIncompleteMultipartUpload"] == {"daysAfterInitiation": 7}


def test_archive_tiers_use_the_configured_days(lake: Registered) -> None:
    """Intelligent-Tiering archives after archive_access_days, deep-archives after deep_*."""
    tiers = _by_bucket(
        lake,
        "aws:s3/bucketIntelligentTieringConfiguration:BucketIntelligentTieringConfiguration",
    )
    assert sorted(tiers) == sorted(ALL_BUCKETS)
    for config in tiers.values():
        assert config.inputs["status"] == "Enabled"
        assert sorted((t["accessTier"], t["days"]) for t in config.inputs["tierings"]) == [
            ("ARCHIVE_ACCESS", 120),
            ("DEEP_ARCHIVE_ACCESS", 240),
        ]


def test_zero_archive_days_turn_the_tier_off() -> None:
    """archive_access_days 0 leaves only the deep archive tier; both 0 leave no configuration."""
    only_deep, _ = _build({**BASE_ARGS, "archive_access_days": 0})
    tierings = only_deep.of_type(
        "aws:s3/bucketIntelligentTieringConfiguration:BucketIntelligentTieringConfiguration"
    )[0].inputs["tierings"]
    assert tierings == [{"accessTier": "DEEP_ARCHIVE_ACCESS", "days": 240}]
    none, _ = _build({**BASE_ARGS, "archive_access_days": 0, "deep_archive_access_days": 0})
    assert not none.of_type(
        "aws:s3/bucketIntelligentTieringConfiguration:BucketIntelligentTieringConfiguration"
    )


def test_every_bucket_has_whole_bucket_request_metrics(lake: Registered) -> None:
    """A filterless metrics configuration turns on CloudWatch request metrics per bucket."""
    metrics = _by_bucket(lake, "aws:s3/bucketMetric:BucketMetric")
    assert sorted(metrics) == sorted(ALL_BUCKETS)
    for metric in metrics.values():
        assert metric.inputs["name"] == "EntireBucket"
        assert "filter" not in metric.inputs


def test_raw_buckets_are_worm_with_the_configured_retention(lake: Registered) -> None:
    """Raw sequence and its replica have Object Lock from creation with the default retention."""
    buckets = _by_bucket(lake, BUCKET)
    locks = _by_bucket(lake, "aws:s3/bucketObjectLockConfiguration:BucketObjectLockConfiguration")
    raw = sorted(_name(slug, region) for slug in RAW_SLUGS for region in (PRIMARY, DR))
    assert sorted(locks) == raw
    for bucket in raw:
        assert buckets[bucket].inputs["objectLockEnabled"] is True
        retention = locks[bucket].inputs["rule"]["defaultRetention"]
        assert retention == {"mode": "COMPLIANCE", "days": 400}


def test_other_buckets_are_not_object_locked(lake: Registered) -> None:
    """Only WORM categories lock objects; the rest must stay deletable by lifecycle."""
    raw = {_name(slug, region) for slug in RAW_SLUGS for region in (PRIMARY, DR)}
    for bucket in lake.of_type(BUCKET):
        assert bucket.inputs["objectLockEnabled"] is (bucket.inputs["bucket"] in raw)


def test_kms_buckets_refuse_uploads_with_another_encryption(lake: Registered) -> None:
    """Uploads asking for SSE-S3 or a foreign KMS key are denied; the log buckets have no rule."""
    for bucket in set(ALL_BUCKETS) - set(LOG_BUCKETS):
        statements = _policy(lake, bucket)
        algorithm = statements["DenyNonKmsEncryption"]["Condition"]
        assert algorithm == {
            "Null": {"s3:x-amz-server-side-encryption": "false"},
            "StringNotEquals": {"s3:x-amz-server-side-encryption": "aws:kms"},
        }
        key = statements["DenyForeignKmsKey"]["Condition"]["ArnNotEquals"]
        region = bucket.rsplit("-", 3)[-3:]
        assert key["s3:x-amz-server-side-encryption-aws-kms-key-id"].startswith(
            f"arn:aws:kms:{'-'.join(region)}:"
        )
    for bucket in LOG_BUCKETS:
        assert "DenyNonKmsEncryption" not in _policy(lake, bucket)


# ---- keys and replication ----


def test_one_rotating_key_per_region(lake: Registered) -> None:
    """The primary and DR keys live in their regions, rotate, and keep a 30-day delete window."""
    keys = lake.of_type("aws:kms/key:Key")
    assert sorted(k.inputs["region"] for k in keys) == [PRIMARY, DR]
    for key in keys:
        assert key.inputs["enableKeyRotation"] is True
        assert key.inputs["deletionWindowInDays"] == 30


REPLICATION = "aws:s3/bucketReplicationConfig:BucketReplicationConfig"


def _twin(bucket: str) -> str:
    source, target = (PRIMARY, DR) if bucket.endswith(PRIMARY) else (DR, PRIMARY)
    return bucket[: -len(source)] + target


def test_replication_runs_both_ways_with_rtc_and_metrics(lake: Registered) -> None:
    """Every data bucket replicates to its twin in the other region within 15 minutes.

    Primary → DR keeps the replicas; DR → primary (two-way replication) carries changes made
    on the replicas back for fail-back.
    """
    configs = _by_bucket(lake, REPLICATION)
    assert sorted(configs) == sorted(DATA_BUCKETS)
    for source, config in configs.items():
        (rule,) = config.inputs["rules"]
        region = PRIMARY if source.endswith(PRIMARY) else DR
        assert config.inputs["region"] == region
        assert rule["id"] == ("to-dr-region" if region == PRIMARY else "to-primary-region")
        destination = rule["destination"]
        assert destination["bucket"] == f"arn:aws:s3:::{_twin(source)}"
        assert destination["replicationTime"] == {"status": "Enabled", "time": {"minutes": 15}}
        assert destination["metrics"] == {"status": "Enabled", "eventThreshold": {"minutes": 15}}


def test_reverse_replication_targets_the_primary_bucket_under_the_primary_key(
    lake: Registered,
) -> None:
    """Each DR replica replicates back to its primary bucket's ARN, re-encrypted for Mumbai."""
    configs = _by_bucket(lake, REPLICATION)
    role = lake.one("aws:iam/role:Role", "lake-replication-failback")
    for slug in DATA_SLUGS:
        config = configs[_name(slug, DR)]
        (rule,) = config.inputs["rules"]
        assert rule["destination"]["bucket"] == f"arn:aws:s3:::{_name(slug, PRIMARY)}"
        assert rule["destination"]["replicationTime"]["status"] == "Enabled"
        replica_key = rule["destination"]["encryptionConfiguration"]["replicaKmsKeyId"]
        assert replica_key.startswith(f"arn:aws:kms:{PRIMARY}:")
        assert (
            config.inputs["role"]
            == f"arn:aws:iam::{ACCOUNT}:role/gen-prod-data-lake-replication-failback"
        )
        assert role.urn in config.dependencies


def test_replication_carries_deletes_kms_objects_and_replica_changes(lake: Registered) -> None:
    """Delete markers, SSE-KMS objects (re-encrypted under the target's key) and replica edits
    sync in both directions."""
    keys = {k.inputs["region"]: k.urn for k in lake.of_type("aws:kms/key:Key")}
    for config in lake.of_type(REPLICATION):
        (rule,) = config.inputs["rules"]
        assert rule["deleteMarkerReplication"] == {"status": "Enabled"}
        criteria = rule["sourceSelectionCriteria"]
        assert criteria["sseKmsEncryptedObjects"] == {"status": "Enabled"}
        assert criteria["replicaModifications"] == {"status": "Enabled"}
        target = DR if config.inputs["region"] == PRIMARY else PRIMARY
        replica_key = rule["destination"]["encryptionConfiguration"]["replicaKmsKeyId"]
        assert replica_key.startswith(f"arn:aws:kms:{target}:")
        assert keys[target] in config.dependencies


def test_replica_resources_are_declared_in_the_dr_region(lake: Registered) -> None:
    """Everything about a replica bucket names ap-south-2 through its own region argument."""
    replicas = {_name(slug, DR) for slug in [*DATA_SLUGS, "access-logs"]}
    for resource in lake.resources:
        if resource.type.startswith("aws:s3/") and resource.inputs.get("bucket") in replicas:
            assert resource.inputs["region"] == DR, resource.name


def test_replication_waits_for_versioning_on_both_sides(lake: Registered) -> None:
    """S3 rejects replication on unversioned buckets, so both versionings come first."""
    versioning = {
        r.inputs["bucket"]: r.urn for r in lake.of_type("aws:s3/bucketVersioning:BucketVersioning")
    }
    for config in lake.of_type(REPLICATION):
        source = config.inputs["bucket"]
        assert versioning[source] in config.dependencies
        assert versioning[_twin(source)] in config.dependencies


def test_replication_role_is_least_privilege(lake: Registered) -> None:
    """The role reads sources, writes replicas and uses each key only through S3 in its region."""
    policy = lake.one("aws:iam/rolePolicy:RolePolicy", "lake-replication-policy")
    statements = {s["Sid"]: s for s in json_input(policy, "policy")["Statement"]}
    assert _as_list(statements["ReadSourceVersions"]["Action"]) == [
        "s3:GetObjectVersionForReplication",
        "s3:GetObjectVersionAcl",
        "s3:GetObjectVersionTagging",
    ]
    writes = statements["WriteReplicas"]
    assert writes["Action"] == ["s3:ReplicateObject", "s3:ReplicateDelete", "s3:ReplicateTags"]
    assert all(DR in arn for arn in writes["Resource"])
    decrypt = statements["DecryptSourceThroughS3"]
    assert decrypt["Action"] == "kms:Decrypt"
    assert decrypt["Condition"] == {
        "StringEquals": {"kms:ViaService": f"s3.{PRIMARY}.amazonaws.com"}
    }
    encrypt = statements["EncryptReplicasThroughS3"]
    assert encrypt["Condition"] == {"StringEquals": {"kms:ViaService": f"s3.{DR}.amazonaws.com"}}
    assert encrypt["Resource"].startswith(f"arn:aws:kms:{DR}:")


def test_failback_role_reads_replicas_and_writes_primaries(lake: Registered) -> None:
    """The reverse role reads the DR replicas, writes the primaries, and uses both keys
    through S3 of their own region (decrypt in Hyderabad, encrypt in Mumbai)."""
    policy = lake.one("aws:iam/rolePolicy:RolePolicy", "lake-replication-failback-policy")
    statements = {s["Sid"]: s for s in json_input(policy, "policy")["Statement"]}
    reads = statements["ReadSourceVersions"]["Resource"]
    assert sorted(reads) == sorted(f"arn:aws:s3:::{_name(s, DR)}/*" for s in DATA_SLUGS)
    writes = statements["WriteReplicas"]["Resource"]
    assert sorted(writes) == sorted(f"arn:aws:s3:::{_name(s, PRIMARY)}/*" for s in DATA_SLUGS)
    locked = _as_list(statements["ReadSourceObjectLock"]["Resource"])
    assert locked == [f"arn:aws:s3:::{_name(s, DR)}/*" for s in RAW_SLUGS]
    decrypt = statements["DecryptSourceThroughS3"]
    assert decrypt["Resource"].startswith(f"arn:aws:kms:{DR}:")
    assert decrypt["Condition"] == {"StringEquals": {"kms:ViaService": f"s3.{DR}.amazonaws.com"}}
    encrypt = statements["EncryptReplicasThroughS3"]
    assert encrypt["Resource"].startswith(f"arn:aws:kms:{PRIMARY}:")
    assert encrypt["Condition"] == {
        "StringEquals": {"kms:ViaService": f"s3.{PRIMARY}.amazonaws.com"}
    }


@pytest.mark.parametrize("role_name", ["lake-replication", "lake-replication-failback"])
def test_replication_role_trusts_only_s3_of_this_account(lake: Registered, role_name: str) -> None:
    """Only S3 acting for this account may assume either replication role."""
    role = lake.one("aws:iam/role:Role", role_name)
    (statement,) = json_input(role, "assumeRolePolicy")["Statement"]
    assert statement["Principal"] == {"Service": "s3.amazonaws.com"}
    assert statement["Condition"] == {"StringEquals": {"aws:SourceAccount": ACCOUNT}}


# ---- research access (ABAC) ----


def test_each_group_gets_a_role_assumable_with_mfa(lake: Registered) -> None:
    """The group's role trusts the account's principals, and only with MFA."""
    role = lake.one("aws:iam/role:Role", "lake-research-tb-lab")
    assert role.inputs["name"] == "gen-prod-research-tb-lab"
    trust = {s["Sid"]: s for s in json_input(role, "assumeRolePolicy")["Statement"]}
    assume = trust["AssumeWithMfa"]
    assert assume["Principal"] == {"AWS": f"arn:aws:iam::{ACCOUNT}:root"}
    assert assume["Condition"] == {
        "Bool": {"aws:MultiFactorAuthPresent": "true"},
        "StringEquals": {"aws:PrincipalTag/research-group": "tb-lab"},
    }


def test_sessions_may_only_tag_themselves_with_a_group_project(lake: Registered) -> None:
    """sts:TagSession allows exactly one key, `project`, with one of the group's projects."""
    role = lake.one("aws:iam/role:Role", "lake-research-tb-lab")
    trust = {s["Sid"]: s for s in json_input(role, "assumeRolePolicy")["Statement"]}
    condition = trust["TagSessionWithGroupProject"]["Condition"]
    assert condition["StringEquals"] == {
        "aws:PrincipalTag/research-group": "tb-lab",
        "aws:RequestTag/project": GROUP["projects"],
    }
    assert condition["ForAllValues:StringEquals"] == {"aws:TagKeys": "project"}
    assert condition["Null"] == {"aws:RequestTag/project": "false"}


def test_every_data_read_requires_matching_object_tags(lake: Registered) -> None:
    """Reads need the object's project to equal the session's and an allowed classification."""
    statements = _research_statements(lake)
    reads = [s for s in statements.values() if set(_as_list(s["Action"])) & set(DATA_READ_ACTIONS)]
    assert reads
    for statement in reads:
        equals = statement["Condition"]["StringEquals"]
        assert equals["s3:ExistingObjectTag/project"] == "${aws:PrincipalTag/project}"
        assert equals["s3:ExistingObjectTag/data-classification"] == GROUP["classifications"]
        assert equals["aws:PrincipalTag/project"] == GROUP["projects"]
    assert sorted(reads[0]["Resource"]) == sorted(f"arn:aws:s3:::{b}/*" for b in DATA_BUCKETS)


def test_listing_is_scoped_to_the_project_prefix(lake: Registered) -> None:
    """ListBucket cannot see object tags, so it is limited by s3:prefix instead."""
    statements = _research_statements(lake)
    listing = [s for s in statements.values() if "s3:ListBucket" in _as_list(s["Action"])]
    assert len(listing) == 1
    condition = listing[0]["Condition"]
    assert condition["StringLike"] == {"s3:prefix": "projects/${aws:PrincipalTag/project}/*"}
    assert not any("ExistingObjectTag" in key for key in condition.get("StringEquals", {}))


def _uploads(registered: Registered) -> dict[str, dict[str, Any]]:
    """Research upload statements by the category whose bucket they target."""
    statements = _research_statements(registered).values()
    found = [s for s in statements if "s3:PutObject" in _as_list(s["Action"])]
    by_arn = {f"arn:aws:s3:::{_name(c.bucket_slug, PRIMARY)}/": c.name for c in CATEGORIES}
    return {
        name: s for s in found for arn, name in by_arn.items() if str(s["Resource"]).startswith(arn)
    }


def test_uploads_go_only_to_categories_of_the_groups_classifications(lake: Registered) -> None:
    """A group uploads only into buckets whose classification it may read back (the WORM raw
    bucket included: its default retention applies to every upload)."""
    cleared = [c.name for c in CATEGORIES if c.classification in GROUP["classifications"]]
    assert sorted(_uploads(lake)) == sorted(cleared)
    assert "raw_sequence" in cleared
    assert "analysis_report" not in cleared


def test_uploads_are_any_size_into_the_own_project_prefix_and_carry_no_tags(
    lake: Registered,
) -> None:
    """Multipart-capable uploads (PutObject covers Create/UploadPart/Complete) only under the
    session's own project prefix; no tag write, so the tagger alone tags the object."""
    for name, upload in _uploads(lake).items():
        category = category_by_name(name)
        assert _as_list(upload["Action"]) == list(UPLOAD_ACTIONS)
        assert upload["Condition"] == {
            "StringEquals": {"aws:PrincipalTag/project": GROUP["projects"]}
        }
        assert upload["Resource"] == (
            f"arn:aws:s3:::{_name(category.bucket_slug, PRIMARY)}"
            "/projects/${aws:PrincipalTag/project}/*"
        )


def test_no_research_statement_writes_tags(lake: Registered) -> None:
    """No research statement holds any tag write."""
    for statement in _research_statements(lake).values():
        assert not set(TAG_WRITE_ACTIONS) & set(_as_list(statement["Action"]))


def _tagger_arn() -> str:
    return f"arn:aws:iam::{ACCOUNT}:role/{tagger_role_name('gen-prod')}"


def test_only_the_tagger_may_write_object_tags(lake: Registered) -> None:
    """Every data bucket, primary or replica, denies every tag write to all but the tagger
    (which also refuses uploads that bring their own tags)."""
    for bucket in DATA_BUCKETS:
        statement = _policy(lake, bucket)["DenyTagWritesExceptTagger"]
        assert statement["Effect"] == "Deny"
        assert statement["Principal"] == "*"
        assert sorted(_as_list(statement["Action"])) == sorted(TAG_WRITE_ACTIONS)
        assert statement["Condition"] == {"ArnNotLike": {"aws:PrincipalArn": _tagger_arn()}}


def test_primary_data_buckets_send_events_to_eventbridge(lake: Registered) -> None:
    """The tagger hears of new objects: every primary data bucket, and no replica, has
    EventBridge notifications on."""
    notified = {
        r.inputs["bucket"]
        for r in lake.of_type("aws:s3/bucketNotification:BucketNotification")
        if r.inputs.get("eventbridge")
    }
    assert notified == {_name(c.bucket_slug, PRIMARY) for c in CATEGORIES}


def test_every_rendered_iam_document_lints_clean(lake: Registered) -> None:
    """Parliament finds nothing in any policy the lake renders (bucket, role, trust, key)."""
    assert lint_recorded(lake.resources) == []


def test_a_given_tagger_arn_replaces_the_default() -> None:
    """tagger_role_arns names the principals exempt from the tag-write deny."""
    tagger = f"arn:aws:iam::{ACCOUNT}:role/transfer-tagger"
    registered, _ = _build({**BASE_ARGS, "tagger_role_arns": [tagger]})
    for statement in _policy(registered, DATA_BUCKETS[0]).values():
        if "ArnNotLike" in statement.get("Condition", {}):
            assert statement["Condition"]["ArnNotLike"] == {"aws:PrincipalArn": tagger}


def test_no_identity_policy_allows_wildcard_actions(lake: Registered) -> None:
    """No role may do `s3:*` (or `*`) on data; allows name their actions."""
    for policy in lake.of_type("aws:iam/rolePolicy:RolePolicy"):
        for statement in json_input(policy, "policy")["Statement"]:
            assert not any("*" in action for action in _as_list(statement["Action"]))


def test_research_key_use_goes_through_s3_of_the_keys_region(lake: Registered) -> None:
    """Research roles may decrypt and generate data keys only through S3, region by region."""
    statements = _research_statements(lake)
    kms = [s for s in statements.values() if _as_list(s["Action"])[0].startswith("kms:")]
    assert len(kms) == 2
    for statement in kms:
        region = statement["Resource"].split(":")[3]
        via = statement["Condition"]["StringEquals"]["kms:ViaService"]
        assert via == f"s3.{region}.amazonaws.com"
        assert statement["Action"] == ["kms:Decrypt", "kms:GenerateDataKey"]


# ---- outputs ----


def test_outputs_name_buckets_by_category_and_region(outputs: dict[str, Any]) -> None:
    """bucket_names maps each category to its primary and DR bucket."""
    assert outputs["bucket_names"]["raw_sequence"] == {
        PRIMARY: _name("raw-sequence", PRIMARY),
        DR: _name("raw-sequence", DR),
    }
    assert set(outputs["bucket_names"]) == {c.name for c in CATEGORIES}
    assert (
        outputs["bucket_arns"]["reference_genome"][DR] == f"arn:aws:s3:::{_name('reference', DR)}"
    )


def test_outputs_name_operational_buckets_keys_and_roles(outputs: dict[str, Any]) -> None:
    """Reports, transfer-reports and access-logs buckets, both keys and research roles."""
    assert outputs["reports_bucket"] == _name("analysis-reports", PRIMARY)
    assert outputs["transfer_reports_bucket"] == _name("transfer-reports", PRIMARY)
    assert outputs["access_logs_bucket"] == _name("access-logs", PRIMARY)
    assert outputs["primary_key_arn"].startswith(f"arn:aws:kms:{PRIMARY}:")
    assert outputs["dr_key_arn"].startswith(f"arn:aws:kms:{DR}:")
    assert outputs["research_role_arns"] == {
        "tb-lab": f"arn:aws:iam::{ACCOUNT}:role/gen-prod-research-tb-lab"
    }


# ---- validation ----


@pytest.mark.parametrize(
    ("change", "named"),
    [
        ({"name_prefix": "Gen_Prod"}, "DataLakeArgs.name_prefix"),
        ({"name_prefix": "gen-" + "x" * 30}, "DataLakeArgs.name_prefix"),
        ({"dr_region": PRIMARY}, "DataLakeArgs.dr_region"),
        ({"primary_region": "mumbai"}, "DataLakeArgs.primary_region"),
        ({"archive_access_days": 30}, "DataLakeArgs.archive_access_days"),
        ({"deep_archive_access_days": 100}, "DataLakeArgs.deep_archive_access_days"),
        ({"archive_access_days": 200, "deep_archive_access_days": 190}, "deep_archive"),
        ({"noncurrent_version_days": 0}, "DataLakeArgs.noncurrent_version_days"),
        ({"object_lock_days": 0}, "DataLakeArgs.object_lock_days"),
        ({"tagger_role_arns": []}, "DataLakeArgs.tagger_role_arns"),
        ({"tagger_role_arns": ["tagger"]}, "DataLakeArgs.tagger_role_arns"),
        (
            {"research_groups": [{**GROUP, "classifications": ["secret"]}]},
            "research_groups[0].classifications",
        ),
        (
            {"research_groups": [{**GROUP, "projects": ["genomics-platform"]}]},
            "research_groups[0].projects",
        ),
        ({"research_groups": [GROUP, GROUP]}, "DataLakeArgs.research_groups"),
    ],
)
def test_bad_args_fail_naming_the_input(change: dict[str, Any], named: str) -> None:
    """Construction refuses unsafe or undeployable input with an error naming it."""
    args: Any = {**BASE_ARGS, **change}
    with pytest.raises(DataLakeArgsError, match=named.replace("[", r"\[").replace("]", r"\]")):
        DataLake("lake", args)

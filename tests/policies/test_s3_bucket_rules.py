"""The S3 bucket-family stack rules (every concern), through the real pack process.

pulumi-aws 7 splits a bucket into a family of resources, so these rules join companions to
buckets by reference. One compliant lake (a Mumbai bucket, its Hyderabad replica and the
access-logs bucket) passes every rule; each mutation breaks exactly one thing.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence

import pytest

from tests.policies.rule_cases import stack_variant, stack_variant_tests
from tests.support.pack import UNKNOWN, FakeResource, PackClient, violations_of
from tools.preview.analyzer import Violation

pytestmark = pytest.mark.policy

BUCKET = "aws:s3/bucket:Bucket"
BUCKET_V2 = "aws:s3/bucketV2:BucketV2"
POLICY = "aws:s3/bucketPolicy:BucketPolicy"
SSE = "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration"
SSE_V2 = (
    "aws:s3/bucketServerSideEncryptionConfigurationV2:BucketServerSideEncryptionConfigurationV2"
)
PAB = "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock"
OWNERSHIP = "aws:s3/bucketOwnershipControls:BucketOwnershipControls"
ACL = "aws:s3/bucketAclV2:BucketAclV2"
VERSIONING = "aws:s3/bucketVersioning:BucketVersioning"
VERSIONING_V2 = "aws:s3/bucketVersioningV2:BucketVersioningV2"
LOGGING = "aws:s3/bucketLogging:BucketLogging"
LOGGING_V2 = "aws:s3/bucketLoggingV2:BucketLoggingV2"
REPLICATION = "aws:s3/bucketReplicationConfig:BucketReplicationConfig"
TRAIL = "aws:cloudtrail/trail:Trail"
KEY = "arn:aws:kms:ap-south-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab"

TLS = "s3-bucket-tls-only"
MIN_TLS = "s3-bucket-min-tls-version"
SSE_KMS = "s3-bucket-sse-kms"
PUBLIC_ACCESS = "s3-bucket-public-access-block"
OWNERSHIP_RULE = "s3-bucket-ownership-enforced"
VERSIONING_RULE = "s3-bucket-versioning-enabled"
REPLICATION_RULE = "s3-bucket-cross-region-replication"
ACCESS_LOGGING = "s3-bucket-data-access-logging"
BUCKET_RULES = (
    TLS,
    MIN_TLS,
    SSE_KMS,
    PUBLIC_ACCESS,
    OWNERSHIP_RULE,
    VERSIONING_RULE,
    REPLICATION_RULE,
    ACCESS_LOGGING,
)

Edit = Callable[[list[FakeResource]], list[FakeResource]]


def _hits(violations: Sequence[Violation], rule: str) -> list[tuple[str, str, str]]:
    return [
        (v.enforcement, v.urn.rsplit("::", 1)[-1], v.message)
        for v in violations_of(violations, rule)
    ]


def _bucket_policy(arn: str) -> str:
    everyone = {"Effect": "Deny", "Principal": "*", "Action": "s3:*"}
    resources = [arn, f"{arn}/*"]
    return json.dumps(
        {
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Sid": "DenyInsecureTransport",
                    **everyone,
                    "Resource": resources,
                    "Condition": {"Bool": {"aws:SecureTransport": "false"}},
                },
                {
                    "Sid": "DenyOldTls",
                    **everyone,
                    "Resource": resources,
                    "Condition": {"NumericLessThan": {"s3:TlsVersion": "1.2"}},
                },
            ],
        }
    )


def _family(
    name: str,
    bucket_name: str,
    *,
    region: str | None = None,
    algorithm: str = "aws:kms",
    v2: bool = False,
) -> list[FakeResource]:
    """A bucket with policy, default encryption, PAB, ownership and versioning."""
    on = {"bucket": [name]}
    props = {"bucket": bucket_name, **({"region": region} if region else {})}
    default: dict[str, object] = {"sseAlgorithm": algorithm}
    if algorithm.startswith("aws:kms"):
        default["kmsMasterKeyId"] = KEY
    return [
        FakeResource(BUCKET_V2 if v2 else BUCKET, name, props),
        FakeResource(
            POLICY,
            f"{name}-policy",
            {"bucket": bucket_name, "policy": _bucket_policy(f"arn:aws:s3:::{bucket_name}")},
            depends_on=on,
        ),
        FakeResource(
            SSE_V2 if v2 else SSE,
            f"{name}-sse",
            {
                "bucket": bucket_name,
                "rules": [
                    {"applyServerSideEncryptionByDefault": default, "bucketKeyEnabled": True}
                ],
            },
            depends_on=on,
        ),
        FakeResource(
            PAB,
            f"{name}-pab",
            {
                "bucket": bucket_name,
                "blockPublicAcls": True,
                "blockPublicPolicy": True,
                "ignorePublicAcls": True,
                "restrictPublicBuckets": True,
            },
            depends_on=on,
        ),
        FakeResource(
            OWNERSHIP,
            f"{name}-ownership",
            {"bucket": bucket_name, "rule": {"objectOwnership": "BucketOwnerEnforced"}},
            depends_on=on,
        ),
        FakeResource(
            VERSIONING_V2 if v2 else VERSIONING,
            f"{name}-versioning",
            {"bucket": bucket_name, "versioningConfiguration": {"status": "Enabled"}},
            depends_on=on,
        ),
    ]


def _logging(name: str, bucket_name: str, v2: bool = False) -> FakeResource:
    return FakeResource(
        LOGGING_V2 if v2 else LOGGING,
        f"{name}-logging",
        {"bucket": bucket_name, "targetBucket": "gen-prod-access-logs-ap-south-1"},
        depends_on={"bucket": [name], "targetBucket": ["access-logs"]},
    )


def _replication(rules: object | None = None, to: str = "raw-replica") -> FakeResource:
    return FakeResource(
        REPLICATION,
        "raw-replication",
        {
            "bucket": "gen-prod-raw-sequence-ap-south-1",
            "role": "arn:aws:iam::111122223333:role/replication",
            "rules": rules
            or [
                {
                    "id": "everything",
                    "status": "Enabled",
                    "destination": {"bucket": "arn:aws:s3:::gen-prod-raw-sequence-ap-south-2"},
                }
            ],
        },
        depends_on={"bucket": ["raw"], "rules": [to]},
    )


def lake() -> list[FakeResource]:
    """A compliant lake: raw bucket (Mumbai), its replica (Hyderabad), the access-logs bucket."""
    return [
        *_family("raw", "gen-prod-raw-sequence-ap-south-1"),
        _logging("raw", "gen-prod-raw-sequence-ap-south-1"),
        _replication(),
        *_family("raw-replica", "gen-prod-raw-sequence-ap-south-2", region="ap-south-2"),
        _logging("raw-replica", "gen-prod-raw-sequence-ap-south-2"),
        *_family("access-logs", "gen-prod-access-logs-ap-south-1", algorithm="AES256"),
    ]


def drop(*names: str) -> Edit:
    """An edit that removes the named resources."""
    return lambda fakes: [f for f in fakes if f.name not in names]


def patch(name: str, **props: object) -> Edit:
    """An edit that overrides inputs of the named resource (None removes one)."""

    def edit(fakes: list[FakeResource]) -> list[FakeResource]:
        changed = []
        for fake in fakes:
            if fake.name == name:
                merged = {k: v for k, v in {**fake.props, **props}.items() if v is not None}
                fake = FakeResource(fake.type, fake.name, merged, fake.depends_on)
            changed.append(fake)
        return changed

    return edit


def _statement_policy(*statements: dict[str, object]) -> str:
    return json.dumps({"Version": "2012-10-17", "Statement": list(statements)})


@pytest.mark.parametrize("rule", BUCKET_RULES)
def test_compliant_lake_passes(pack: PackClient, rule: str) -> None:
    """The fully protected lake raises nothing under any bucket rule."""
    assert _hits(pack.analyze_stack(lake()), rule) == []


@pytest.mark.parametrize("rule", BUCKET_RULES)
def test_v2_resource_spellings_are_joined_too(pack: PackClient, rule: str) -> None:
    """BucketV2 with the V2 companions (versioning, encryption, logging) is just as compliant."""
    fakes = [
        *_family("raw", "gen-prod-raw-sequence-ap-south-1", v2=True),
        _logging("raw", "gen-prod-raw-sequence-ap-south-1", v2=True),
        _replication(),
        *_family("raw-replica", "gen-prod-raw-sequence-ap-south-2", region="ap-south-2", v2=True),
        _logging("raw-replica", "gen-prod-raw-sequence-ap-south-2", v2=True),
        *_family("access-logs", "gen-prod-access-logs-ap-south-1", algorithm="AES256", v2=True),
    ]
    assert _hits(pack.analyze_stack(fakes), rule) == []


_ALLOW_ALL_TLS = _statement_policy(
    {"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::111122223333:root"}, "Action": "s3:*"}
)
_TLS_ONLY = _statement_policy(
    {
        "Effect": "Deny",
        "Principal": "*",
        "Action": "s3:*",
        "Condition": {"Bool": {"aws:SecureTransport": "false"}},
    }
)
_OLD_FLOOR = _statement_policy(
    {
        "Effect": "Deny",
        "Principal": "*",
        "Action": "s3:*",
        "Condition": {"NumericLessThan": {"s3:TlsVersion": "1.0"}},
    }
)


@pytest.mark.parametrize(
    ("rule", "edit", "target", "fragment"),
    [
        pytest.param(TLS, drop("raw-policy"), "raw", "has no bucket policy", id="tls-no-policy"),
        pytest.param(
            TLS,
            patch("raw-policy", policy=_ALLOW_ALL_TLS),
            "raw",
            "does not deny requests with aws:SecureTransport = false",
            id="tls-no-deny",
        ),
        pytest.param(
            MIN_TLS,
            drop("raw-policy"),
            "raw",
            "denies requests with s3:TlsVersion below 1.2",
            id="min-tls-no-policy",
        ),
        pytest.param(
            MIN_TLS,
            patch("raw-policy", policy=_TLS_ONLY),
            "raw",
            "denies requests with s3:TlsVersion below 1.2",
            id="min-tls-missing-statement",
        ),
        pytest.param(
            MIN_TLS,
            patch("raw-policy", policy=_OLD_FLOOR),
            "raw",
            "denies requests with s3:TlsVersion below 1.2",
            id="min-tls-floor-too-low",
        ),
        pytest.param(
            SSE_KMS,
            drop("raw-sse"),
            "raw",
            "has no server-side encryption configuration",
            id="sse-missing",
        ),
        pytest.param(
            SSE_KMS,
            patch(
                "raw-sse",
                rules=[{"applyServerSideEncryptionByDefault": {"sseAlgorithm": "AES256"}}],
            ),
            "raw",
            "default encryption is not SSE-KMS",
            id="sse-s3-only",
        ),
        pytest.param(
            SSE_KMS,
            patch(
                "raw-sse",
                rules=[{"applyServerSideEncryptionByDefault": {"sseAlgorithm": "aws:kms"}}],
            ),
            "raw",
            "with a kmsMasterKeyId",
            id="sse-kms-without-key",
        ),
        pytest.param(
            PUBLIC_ACCESS, drop("raw-pab"), "raw", "has no public access block", id="pab-missing"
        ),
        *[
            pytest.param(
                PUBLIC_ACCESS,
                patch("raw-pab", **{flag: False}),
                "raw-pab",
                f"leaves {flag} off (fix: set {snake}=True on raw-pab)",
                id=f"pab-{flag}",
            )
            for flag, snake in (
                ("blockPublicAcls", "block_public_acls"),
                ("blockPublicPolicy", "block_public_policy"),
                ("ignorePublicAcls", "ignore_public_acls"),
                ("restrictPublicBuckets", "restrict_public_buckets"),
            )
        ],
        pytest.param(
            OWNERSHIP_RULE,
            drop("raw-ownership"),
            "raw",
            "has no ownership controls",
            id="ownership-missing",
        ),
        pytest.param(
            OWNERSHIP_RULE,
            patch("raw-ownership", rule={"objectOwnership": "ObjectWriter"}),
            "raw",
            "object ownership is ObjectWriter",
            id="ownership-acls-on",
        ),
        pytest.param(
            VERSIONING_RULE,
            drop("raw-versioning"),
            "raw",
            "no versioning resource",
            id="versioning-missing",
        ),
        pytest.param(
            VERSIONING_RULE,
            patch("raw-versioning", versioningConfiguration={"status": "Suspended"}),
            "raw",
            "does not keep object versions (Suspended)",
            id="versioning-suspended",
        ),
        pytest.param(
            REPLICATION_RULE,
            drop("raw-replication"),
            "raw",
            "has no replication configuration",
            id="replication-missing",
        ),
        pytest.param(
            REPLICATION_RULE,
            patch(
                "raw-replication",
                rules=[
                    {
                        "status": "Disabled",
                        "destination": {"bucket": "arn:aws:s3:::gen-prod-raw-sequence-ap-south-2"},
                    }
                ],
            ),
            "raw",
            "no enabled replication rule",
            id="replication-disabled",
        ),
        pytest.param(
            REPLICATION_RULE,
            lambda fakes: [*drop("raw-replication")(fakes), _replication(to="access-logs")],
            "raw",
            "a bucket in another region",
            id="replication-same-region",
        ),
        pytest.param(
            ACCESS_LOGGING,
            drop("raw-logging"),
            "raw",
            "records no object access",
            id="access-logging-missing",
        ),
    ],
)
def test_bucket_mutation_is_reported(
    pack: PackClient, rule: str, edit: Edit, target: str, fragment: str
) -> None:
    """Each way a bucket can lose a protection is reported once, against the right resource."""
    hits = _hits(pack.analyze_stack(edit(lake())), rule)
    enforcement = "advisory" if rule == ACCESS_LOGGING else "mandatory"
    assert [(e, name) for e, name, _ in hits] == [(enforcement, target)]
    assert fragment in hits[0][2]


def test_acl_resource_is_reported(pack: PackClient) -> None:
    """A BucketAcl on a bucket means ACLs are in use, whatever the ownership setting says."""
    acl = FakeResource(
        ACL, "raw-acl", {"bucket": "b", "acl": "private"}, depends_on={"bucket": ["raw"]}
    )
    hits = _hits(pack.analyze_stack([*lake(), acl]), OWNERSHIP_RULE)
    assert [(e, name) for e, name, _ in hits] == [("mandatory", "raw-acl")]
    assert "manages bucket ACLs" in hits[0][2]


def test_access_log_target_needs_no_kms_but_others_do(pack: PackClient) -> None:
    """The access-logs exemption is by name: renaming the AES256 bucket makes it a violation."""
    pack.configure({SSE_KMS: {"accessLogTargetBuckets": []}})
    hits = _hits(pack.analyze_stack(lake()), SSE_KMS)
    assert [(e, name) for e, name, _ in hits] == [("mandatory", "access-logs")]


def test_dsse_counts_as_kms(pack: PackClient) -> None:
    """Dual-layer SSE-KMS (aws:kms:dsse) with a key is accepted."""
    fakes = patch(
        "raw-sse",
        rules=[
            {
                "applyServerSideEncryptionByDefault": {
                    "sseAlgorithm": "aws:kms:dsse",
                    "kmsMasterKeyId": KEY,
                }
            }
        ],
    )(lake())
    assert _hits(pack.analyze_stack(fakes), SSE_KMS) == []


def test_replication_to_a_literal_dr_arn_is_accepted(pack: PackClient) -> None:
    """A destination outside the stack is accepted when its name ends with the DR region."""
    fakes = [f for f in lake() if f.name != "raw-replication"]
    literal = FakeResource(
        REPLICATION,
        "raw-replication",
        {
            "bucket": "gen-prod-raw-sequence-ap-south-1",
            "rules": [
                {
                    "status": "Enabled",
                    "destination": {"bucket": "arn:aws:s3:::gen-prod-raw-sequence-ap-south-2"},
                }
            ],
        },
        depends_on={"bucket": ["raw"]},
    )
    assert _hits(pack.analyze_stack([*fakes, literal]), REPLICATION_RULE) == []


def test_replication_applies_only_to_lake_buckets_outside_dr(pack: PackClient) -> None:
    """The access-logs bucket and the Hyderabad replica need no replication of their own."""
    hits = _hits(pack.analyze_stack(drop("raw-replication")(lake())), REPLICATION_RULE)
    assert [name for _, name, _ in hits] == ["raw"]


def test_cloudtrail_data_events_count_as_access_logging(pack: PackClient) -> None:
    """A trail with S3 object data events for all buckets replaces server access logs."""
    trail = FakeResource(
        TRAIL,
        "org-trail",
        {
            "s3BucketName": "trail-logs",
            "eventSelectors": [
                {"dataResources": [{"type": "AWS::S3::Object", "values": ["arn:aws:s3"]}]}
            ],
        },
    )
    fakes = drop("raw-logging", "raw-replica-logging")(lake())
    assert _hits(pack.analyze_stack([*fakes, trail]), ACCESS_LOGGING) == []


def test_cloudtrail_selector_referencing_the_bucket_counts(pack: PackClient) -> None:
    """A trail whose selectors reference the bucket covers it."""
    trail = FakeResource(
        TRAIL,
        "lake-trail",
        {
            "s3BucketName": "trail-logs",
            "advancedEventSelectors": [{"name": "raw objects", "fieldSelectors": []}],
        },
        depends_on={"advancedEventSelectors": ["raw"]},
    )
    fakes = drop("raw-logging")(lake())
    assert _hits(pack.analyze_stack([*fakes, trail]), ACCESS_LOGGING) == []


@pytest.mark.parametrize(
    ("rule", "edit"),
    [
        pytest.param(TLS, patch("raw-policy", policy=UNKNOWN), id="tls"),
        pytest.param(MIN_TLS, patch("raw-policy", policy=UNKNOWN), id="min-tls"),
        pytest.param(SSE_KMS, patch("raw-sse", rules=UNKNOWN), id="sse"),
        pytest.param(PUBLIC_ACCESS, patch("raw-pab", blockPublicAcls=UNKNOWN), id="pab"),
        pytest.param(OWNERSHIP_RULE, patch("raw-ownership", rule=UNKNOWN), id="ownership"),
        pytest.param(
            VERSIONING_RULE,
            patch("raw-versioning", versioningConfiguration=UNKNOWN),
            id="versioning",
        ),
        pytest.param(REPLICATION_RULE, patch("raw-replication", rules=UNKNOWN), id="replication"),
        pytest.param(
            ACCESS_LOGGING,
            lambda fakes: patch("raw", bucket=UNKNOWN)(drop("raw-logging")(fakes)),
            id="access-logging",
        ),
    ],
)
def test_unknown_inputs_are_never_mandatory(pack: PackClient, rule: str, edit: Edit) -> None:
    """An input unknown until update makes the rule wait, never fail the preview."""
    hits = _hits(pack.analyze_stack(edit(lake())), rule)
    assert hits, "the unknown value should be reported as not checkable during preview"
    assert all(e == "advisory" and "during preview" in m for e, _, m in hits)


@pytest.mark.parametrize("rule", BUCKET_RULES)
def test_stack_without_buckets_is_quiet(pack: PackClient, rule: str) -> None:
    """Unrelated resources (a topic) give the bucket rules nothing to say."""
    fakes = [FakeResource("aws:sns/topic:Topic", "alerts", {"name": "alerts"})]
    assert _hits(pack.analyze_stack(fakes), rule) == []


def test_excluded_bucket_is_not_checked(pack: PackClient) -> None:
    """A bucket matched by the rule's `exclude` patterns is left out of the stack check."""
    pack.configure({VERSIONING_RULE: {"exclude": ["raw"]}})
    assert _hits(pack.analyze_stack(drop("raw-versioning")(lake())), VERSIONING_RULE) == []


# ---- adversarial variants: still looks protected, or written differently ----

_RAW_ARN = "arn:aws:s3:::gen-prod-raw-sequence-ap-south-1"
_EVERYONE: dict[str, object] = {
    "Effect": "Deny",
    "Principal": "*",
    "Resource": [_RAW_ARN, f"{_RAW_ARN}/*"],
}


def _raw_policy(**changes: object) -> Edit:
    """The raw bucket's TLS deny rewritten by `changes` (None removes an element)."""
    tls = {
        **_EVERYONE,
        "Action": "s3:*",
        "Condition": {"Bool": {"aws:SecureTransport": "false"}},
        **changes,
    }
    floor = {
        **_EVERYONE,
        "Action": "s3:*",
        "Condition": {"NumericLessThan": {"s3:TlsVersion": "1.2"}},
    }
    kept: dict[str, object] = {k: v for k, v in tls.items() if v is not None}
    return patch("raw-policy", policy=_statement_policy(kept, floor))


def _raw_floor(condition: dict[str, object], **changes: object) -> Edit:
    tls: dict[str, object] = {
        **_EVERYONE,
        "Action": "s3:*",
        "Condition": {"Bool": {"aws:SecureTransport": "false"}},
    }
    floor: dict[str, object] = {**_EVERYONE, "Action": "s3:*", "Condition": condition, **changes}
    return patch("raw-policy", policy=_statement_policy(tls, floor))


def _sse(**default: object) -> Edit:
    return patch("raw-sse", rules=[{"applyServerSideEncryptionByDefault": default}])


_NOT_TLS = "does not deny requests with aws:SecureTransport = false"
_NOT_MIN = "denies requests with s3:TlsVersion below 1.2"

STACK_VARIANTS = [
    stack_variant(
        TLS,
        "principal-narrowing",
        _raw_policy(Principal={"AWS": "arn:aws:iam::111122223333:root"})(lake()),
        "raw",
        _NOT_TLS,
    ),
    stack_variant(
        TLS,
        "string-vs-list",
        _raw_policy(Principal={"AWS": ["*"]}, Action=["s3:*"])(lake()),
        "raw",
        None,
    ),
    stack_variant(
        TLS, "operator-swap", _raw_policy(Action="s3:GetObject")(lake()), "raw", _NOT_TLS
    ),
    stack_variant(
        TLS,
        "not-element",
        _raw_policy(Action=None, NotAction="s3:PutObject")(lake()),
        "raw",
        _NOT_TLS,
    ),
    stack_variant(
        TLS,
        "if-exists",
        _raw_policy(Condition={"BoolIfExists": {"aws:SecureTransport": "false"}})(lake()),
        "raw",
        None,
    ),
    stack_variant(
        TLS,
        "string-vs-list",
        _raw_policy(Condition={"Bool": {"aws:SecureTransport": ["false"]}})(lake()),
        "raw",
        None,
    ),
    stack_variant(
        TLS,
        "operator-swap",
        _raw_policy(Condition={"StringLike": {"aws:SecureTransport": "*"}})(lake()),
        "raw",
        _NOT_TLS,
    ),
    stack_variant(
        TLS,
        "json-vs-object",
        patch("raw-policy", policy=json.loads(_bucket_policy(_RAW_ARN)))(lake()),
        "raw",
        None,
    ),
    stack_variant(
        MIN_TLS,
        "if-exists",
        _raw_floor({"NumericLessThanIfExists": {"s3:TlsVersion": "1.2"}})(lake()),
        "raw",
        None,
    ),
    stack_variant(
        MIN_TLS,
        "string-vs-list",
        _raw_floor({"NumericLessThan": {"s3:TlsVersion": ["1.2"]}})(lake()),
        "raw",
        None,
    ),
    stack_variant(
        MIN_TLS,
        "operator-swap",
        _raw_floor({"NumericGreaterThan": {"s3:TlsVersion": "1.2"}})(lake()),
        "raw",
        _NOT_MIN,
    ),
    stack_variant(
        MIN_TLS,
        "principal-narrowing",
        _raw_floor(
            {"NumericLessThan": {"s3:TlsVersion": "1.2"}},
            Principal={"AWS": "arn:aws:iam::111122223333:root"},
        )(lake()),
        "raw",
        _NOT_MIN,
    ),
    stack_variant(
        MIN_TLS,
        "wildcard-value",
        _raw_floor({"NumericLessThan": {"s3:TlsVersion": "1.1"}})(lake()),
        "raw",
        _NOT_MIN,
    ),
    stack_variant(
        SSE_KMS,
        "equivalent-value",
        _sse(sseAlgorithm="aws:kms", kmsMasterKeyId="alias/aws/s3")(lake()),
        "raw",
        "customer-managed key",
    ),
    stack_variant(
        SSE_KMS,
        "case-and-type",
        _sse(sseAlgorithm="AES256", kmsMasterKeyId=KEY)(lake()),
        "raw",
        "not SSE-KMS",
    ),
    stack_variant(
        PUBLIC_ACCESS,
        "case-and-type",
        patch("raw-pab", blockPublicPolicy="false")(lake()),
        "raw-pab",
        "leaves blockPublicPolicy off",
    ),
    stack_variant(
        PUBLIC_ACCESS,
        "case-and-type",
        patch("raw-pab", ignorePublicAcls="true")(lake()),
        "raw-pab",
        None,
    ),
    stack_variant(
        OWNERSHIP_RULE,
        "equivalent-value",
        patch("raw-ownership", rule={"objectOwnership": "BucketOwnerPreferred"})(lake()),
        "raw",
        "object ownership is BucketOwnerPreferred",
    ),
    stack_variant(
        OWNERSHIP_RULE,
        "json-vs-object",
        patch("raw-ownership", rule='{"objectOwnership": "BucketOwnerEnforced"}')(lake()),
        "raw",
        None,
    ),
    stack_variant(
        VERSIONING_RULE,
        "case-and-type",
        patch("raw-versioning", versioningConfiguration={"status": "Disabled"})(lake()),
        "raw",
        "(Disabled)",
    ),
    stack_variant(
        VERSIONING_RULE,
        "json-vs-object",
        patch("raw-versioning", versioningConfiguration='{"status": "Enabled"}')(lake()),
        "raw",
        None,
    ),
    stack_variant(
        REPLICATION_RULE,
        "string-vs-list",
        patch(
            "raw-replication",
            rules={
                "status": "Enabled",
                "destination": {"bucket": "arn:aws:s3:::gen-prod-raw-sequence-ap-south-2"},
            },
        )(lake()),
        "raw",
        None,
    ),
    stack_variant(
        ACCESS_LOGGING,
        "equivalent-value",
        patch("raw-logging", targetBucket="")(drop("raw-replica-logging")(lake())),
        "raw-replica",
        "records no object access",
    ),
]

test_adversarial_stack_variant = stack_variant_tests(STACK_VARIANTS)

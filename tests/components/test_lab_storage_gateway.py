"""Storage Gateway: skipped cleanly without an appliance, encrypted WORM shares with one."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from components.lab.storage_gateway import (
    LabStorageGateway,
    LabStorageGatewayArgs,
    intelligent_tiering_tiers,
)
from tests.support.harness import Registered, json_input, record

KEY = "arn:aws:kms:ap-south-1:111122223333:key/abc"
ARGS: LabStorageGatewayArgs = {"kms_key_arn": KEY, "log_retention_days": 90}
SMB = "aws:storagegateway/smbFileShare:SmbFileShare"


def _run(factory: Callable[[], object]) -> Registered:
    """Record what `factory` registers (record() wants a builder that returns None)."""

    def build() -> None:
        factory()

    return record(build)


@pytest.fixture(scope="module")
def active() -> Registered:
    """A gateway with an activation key and an NFS client range."""
    return _run(
        lambda: LabStorageGateway(
            "lab-gateway",
            {
                **ARGS,
                "activation_key": "ABCDE-12345-FGHIJ-67890-KLMNO",
                "nfs_client_cidrs": ["192.168.10.0/24"],
                "object_lock_mode": "COMPLIANCE",
                "object_lock_days": 730,
            },
        )
    )


def test_without_activation_key_nothing_is_built() -> None:
    """No appliance, no gateway, no bucket: only the component itself is registered."""
    registered = _run(lambda: LabStorageGateway("lab-gateway", ARGS))
    assert [r.type for r in registered.resources] == ["genomics:lab:StorageGateway"]


def test_without_activation_key_the_status_says_why() -> None:
    """The status output starts with `skipped:` and names the missing setting."""
    statuses: list[str] = []

    def build() -> None:
        gateway = LabStorageGateway("lab-gateway", ARGS)
        gateway.storage_gateway_status.apply(statuses.append)

    record(build)
    assert statuses[0].startswith("skipped: ")
    assert "storageGatewayActivationKey" in statuses[0]


def test_gateway_is_an_s3_file_gateway_with_mandatory_smb_encryption(active: Registered) -> None:
    """FILE_S3 type, activation key passed, SMB MandatoryEncryption, logs to the group."""
    gateway = active.one("aws:storagegateway/gateway:Gateway").inputs
    assert gateway["gatewayType"] == "FILE_S3"
    assert gateway["smbSecurityStrategy"] == "MandatoryEncryption"
    assert gateway["cloudwatchLogGroupArn"].startswith("arn:aws:logs:")


def test_smb_share_is_kms_encrypted_and_audited(active: Registered) -> None:
    """The SMB share uses the platform key, AD authentication and an audit log group."""
    share = active.one(SMB).inputs
    assert share["kmsEncrypted"] is True
    assert share["kmsKeyArn"] == KEY
    assert share["authentication"] == "ActiveDirectory"
    assert share["auditDestinationArn"].startswith("arn:aws:logs:")


def test_nfs_share_only_admits_listed_cidrs(active: Registered) -> None:
    """The NFS share lists the lab CIDR, squashes root and is KMS encrypted."""
    share = active.one("aws:storagegateway/nfsFileShare:NfsFileShare").inputs
    assert share["clientLists"] == ["192.168.10.0/24"]
    assert share["squash"] == "RootSquash"
    assert share["kmsEncrypted"] is True


def test_audit_log_group_has_retention_and_kms(active: Registered) -> None:
    """Audit logs are kept for the configured days and encrypted."""
    group = active.one("aws:cloudwatch/logGroup:LogGroup").inputs
    assert (group["retentionInDays"], group["kmsKeyId"]) == (90, KEY)


def test_bucket_is_worm(active: Registered) -> None:
    """Object Lock is enabled at creation with the configured default retention."""
    assert active.one("aws:s3/bucket:Bucket").inputs["objectLockEnabled"] is True
    lock = active.one("aws:s3/bucketObjectLockConfiguration:BucketObjectLockConfiguration")
    retention = lock.inputs["rule"]["defaultRetention"]
    assert retention == {"mode": "COMPLIANCE", "days": 730}


def test_bucket_has_the_lake_protections(active: Registered) -> None:
    """SSE-KMS with a bucket key, versioning, all public access blocked."""
    sse = active.one(
        "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration"
    ).inputs["rules"][0]
    assert sse["applyServerSideEncryptionByDefault"] == {
        "sseAlgorithm": "aws:kms",
        "kmsMasterKeyId": KEY,
    }
    versioning = active.one("aws:s3/bucketVersioning:BucketVersioning").inputs
    assert versioning["versioningConfiguration"]["status"] == "Enabled"
    block = active.one("aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock").inputs
    assert all(block[k] for k in ("blockPublicAcls", "blockPublicPolicy", "ignorePublicAcls"))


def test_bucket_policy_denies_insecure_transport(active: Registered) -> None:
    """The bucket policy denies requests without TLS."""
    policy = json_input(active.one("aws:s3/bucketPolicy:BucketPolicy"), "policy")
    deny = policy["Statement"][0]
    assert deny["Effect"] == "Deny"
    assert deny["Condition"] == {"Bool": {"aws:SecureTransport": "false"}}


def test_bucket_tiers_to_archive(active: Registered) -> None:
    """Intelligent-Tiering archives after 90 and deep-archives after 180 days by default."""
    tiering = active.one(
        "aws:s3/bucketIntelligentTieringConfiguration:BucketIntelligentTieringConfiguration"
    ).inputs
    assert {t["accessTier"]: t["days"] for t in tiering["tierings"]} == {
        "ARCHIVE_ACCESS": 90,
        "DEEP_ARCHIVE_ACCESS": 180,
    }


def test_zero_days_turns_a_tier_off() -> None:
    """Only tiers with days are configured."""
    assert intelligent_tiering_tiers(0, 180) == [("DEEP_ARCHIVE_ACCESS", 180)]


def test_share_role_cannot_delete_locked_versions(active: Registered) -> None:
    """The gateway role has no DeleteObjectVersion, so it cannot undo WORM."""
    policy = json_input(active.one("aws:iam/rolePolicy:RolePolicy"), "policy")
    actions = {a for s in policy["Statement"] for a in s["Action"]}
    assert "s3:PutObject" in actions
    assert "s3:DeleteObjectVersion" not in actions


def test_bad_archive_days_are_refused() -> None:
    """Archive days under the S3 minimum name the input and the range."""
    with pytest.raises(ValueError, match="archive_access_days: 0 or 90-730"):
        _run(lambda: LabStorageGateway("g", {**ARGS, "archive_access_days": 30}))

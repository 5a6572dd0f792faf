"""On-premises instrument shares: an S3 File Gateway in front of a WORM lab bucket.

Instruments and lab PCs write run folders to an SMB share (and, for Linux instruments, an NFS
share) that the gateway appliance in the lab serves; files land as objects in a bucket created
here with the lake's protections (SSE-KMS, versioning, public access blocked, TLS-only policy)
plus Object Lock, so raw instrument output is write-once from the moment it leaves the lab.

A gateway can only be activated against an appliance that exists, so everything here is built
only when an activation key is given; otherwise the component builds nothing and says why.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Final, Literal, NotRequired, TypedDict

import pulumi
import pulumi_aws as aws

from components.blocks.iam_documents import service_trust_policy
from components.lab.policy import aws_context, document, render, statement

__all__ = [
    "LabStorageGateway",
    "LabStorageGatewayArgs",
    "SmbActiveDirectory",
    "intelligent_tiering_tiers",
]

_SseByDefault = (
    aws.s3.BucketServerSideEncryptionConfigurationRuleApplyServerSideEncryptionByDefaultArgs
)

SKIPPED_NO_KEY: Final = (
    "skipped: no storage gateway activation key; deploy the S3 File Gateway appliance in the "
    "lab, get its activation key and set it as a secret: pulumi config set --secret "
    "genomics:storageGatewayActivationKey <key>"
)


def intelligent_tiering_tiers(archive_days: int, deep_archive_days: int) -> list[tuple[str, int]]:
    """(access tier, days) of the archive tiers that are on; 0 days turns a tier off."""
    tiers: list[tuple[str, int]] = []
    if archive_days:
        tiers.append(("ARCHIVE_ACCESS", archive_days))
    if deep_archive_days:
        tiers.append(("DEEP_ARCHIVE_ACCESS", deep_archive_days))
    return tiers


class SmbActiveDirectory(TypedDict):
    """The Active Directory domain the gateway joins, so the SMB share can authenticate."""

    domain_name: str
    """Domain to join, e.g. `lab.example.org`."""
    username: str
    """Account allowed to add computers to the domain (the gateway joins as `SGW-<id>`)."""
    password_secret_arn: str
    """Secrets Manager secret whose SecretString is that account's password."""
    domain_controllers: NotRequired[Sequence[str]]
    """Domain controllers (`host[:port]`); found through DNS unless given."""
    organizational_unit: NotRequired[str]
    """OU of the gateway's computer account; the domain's default unless given."""


class LabStorageGatewayArgs(TypedDict):
    """Inputs of the lab storage gateway."""

    kms_key_arn: pulumi.Input[str]
    """Platform key: encrypts the bucket, the shares' objects and the audit log group."""
    log_retention_days: int
    """Retention of the gateway's audit and health log group."""
    log_kms_key_arn: NotRequired[pulumi.Input[str]]
    """Key of the log groups, when logs use their own key (default: `kms_key_arn`)."""
    activation_key: NotRequired[str]
    """Activation key of the on-premises appliance; empty skips the whole component."""
    gateway_name: NotRequired[str]
    """Name of the gateway (default: the component name)."""
    gateway_timezone: NotRequired[str]
    """Gateway time zone as `GMT+hr:mm` (default `GMT+5:30`, India)."""
    bucket_name: NotRequired[str]
    """Physical name of the lab bucket (default: derived by Pulumi)."""
    object_lock_mode: NotRequired[Literal["GOVERNANCE", "COMPLIANCE"]]
    """Object Lock mode of instrument files (default GOVERNANCE)."""
    object_lock_days: NotRequired[int]
    """Default retention of instrument files in days (default 365)."""
    archive_access_days: NotRequired[int]
    """Days without access before Intelligent-Tiering archives (0 off; default 90)."""
    deep_archive_access_days: NotRequired[int]
    """Days without access before Intelligent-Tiering deep-archives (0 off; default 180)."""
    smb_active_directory: NotRequired[SmbActiveDirectory]
    """Domain the gateway joins; required with `activation_key` (the SMB share authenticates
    with Active Directory)."""
    smb_valid_users: NotRequired[Sequence[str]]
    """Active Directory users or `@groups` allowed on the SMB share (default: any domain user)."""
    nfs_client_cidrs: NotRequired[Sequence[str]]
    """On-premises CIDRs allowed to mount the NFS share; empty leaves NFS out."""


def _validate(args: LabStorageGatewayArgs) -> None:
    days = args.get("object_lock_days", 365)
    if not 1 <= days <= 36500:
        raise ValueError(f"LabStorageGatewayArgs.object_lock_days is {days}; use 1-36500")
    archive = args.get("archive_access_days", 90)
    deep = args.get("deep_archive_access_days", 180)
    if archive and not 90 <= archive <= 730:
        raise ValueError("LabStorageGatewayArgs.archive_access_days: 0 or 90-730 (S3 limits)")
    if deep and not 180 <= deep <= 730:
        raise ValueError("LabStorageGatewayArgs.deep_archive_access_days: 0 or 180-730")
    if archive and deep and deep <= archive:
        raise ValueError("LabStorageGatewayArgs.deep_archive_access_days must exceed archive days")
    if any(cidr.endswith("/0") for cidr in args.get("nfs_client_cidrs", ())):
        raise ValueError("LabStorageGatewayArgs.nfs_client_cidrs: list lab CIDRs, not /0")
    directory = args.get("smb_active_directory")
    if args.get("activation_key") and not directory:
        raise ValueError(
            "LabStorageGatewayArgs.smb_active_directory is required with activation_key: the "
            "instrument SMB share authenticates against Active Directory, and a gateway that "
            "has joined no domain refuses to create it. Give the domain name, a join account "
            "and the Secrets Manager secret holding its password"
        )
    if directory and not all(
        directory.get(field) for field in ("domain_name", "username", "password_secret_arn")
    ):
        raise ValueError(
            "LabStorageGatewayArgs.smb_active_directory needs domain_name, username and "
            "password_secret_arn"
        )


class LabStorageGateway(pulumi.ComponentResource):
    """S3 File Gateway, SMB/NFS shares with KMS and audit logs, WORM Intelligent-Tiering bucket."""

    storage_gateway_status: pulumi.Output[str]
    """`active` or `skipped: <why>`."""
    gateway_arn: pulumi.Output[str] | None
    """ARN of the gateway, when built."""
    bucket_name: pulumi.Output[str] | None
    """Lab bucket behind the shares, when built."""
    smb_share_path: pulumi.Output[str] | None
    """Path of the SMB share on the gateway, when built."""

    def __init__(
        self, name: str, args: LabStorageGatewayArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__("genomics:lab:StorageGateway", name, None, opts)
        _validate(args)
        self._base = name
        self._args = args
        self.gateway_arn = None
        self.bucket_name = None
        self.smb_share_path = None
        if not args.get("activation_key"):
            pulumi.log.info(f"{name}: {SKIPPED_NO_KEY}", resource=self)
            self.storage_gateway_status = pulumi.Output.from_input(SKIPPED_NO_KEY)
        else:
            self._build()
            self.storage_gateway_status = pulumi.Output.from_input("active")
        self.register_outputs(
            {
                "storage_gateway_status": self.storage_gateway_status,
                "gateway_arn": self.gateway_arn,
                "bucket_name": self.bucket_name,
                "smb_share_path": self.smb_share_path,
            }
        )

    def _build(self) -> None:
        args = self._args
        bucket = self._create_bucket()
        context = aws_context(self)
        log_group = aws.cloudwatch.LogGroup(
            f"{self._base}-audit-logs",
            name=f"/aws/storagegateway/{self._base}",
            retention_in_days=args["log_retention_days"],
            kms_key_id=args.get("log_kms_key_arn", args["kms_key_arn"]),
            opts=pulumi.ResourceOptions(parent=self),
        )
        gateway = aws.storagegateway.Gateway(
            f"{self._base}-gateway",
            gateway_name=args.get("gateway_name", self._base),
            gateway_timezone=args.get("gateway_timezone", "GMT+5:30"),
            gateway_type="FILE_S3",
            # The key comes from secret config; marking it keeps it encrypted in the state.
            activation_key=pulumi.Output.secret(args["activation_key"]),
            smb_security_strategy="MandatoryEncryption",
            smb_file_share_visibility=False,
            # An ActiveDirectory SMB share can only be created on a gateway that has joined
            # the domain (JoinDomain); the provider joins it through these settings.
            smb_active_directory_settings=self._active_directory_settings(),
            cloudwatch_log_group_arn=log_group.arn,
            opts=pulumi.ResourceOptions(parent=self),
        )
        role = self._create_share_role(bucket, context.account_id, context.region)
        location = pulumi.Output.concat(bucket.arn, "/instruments/")
        smb = aws.storagegateway.SmbFileShare(
            f"{self._base}-smb-share",
            gateway_arn=gateway.arn,
            location_arn=location,
            file_share_name="instruments",
            role_arn=role.arn,
            authentication="ActiveDirectory",
            valid_user_lists=list(args.get("smb_valid_users", ())) or None,
            access_based_enumeration=True,
            kms_encrypted=True,
            kms_key_arn=args["kms_key_arn"],
            audit_destination_arn=log_group.arn,
            default_storage_class="S3_INTELLIGENT_TIERING",
            object_acl="bucket-owner-full-control",
            requester_pays=False,
            opts=pulumi.ResourceOptions(parent=self),
        )
        cidrs = list(args.get("nfs_client_cidrs", ()))
        if cidrs:
            aws.storagegateway.NfsFileShare(
                f"{self._base}-nfs-share",
                gateway_arn=gateway.arn,
                location_arn=pulumi.Output.concat(bucket.arn, "/instruments-nfs/"),
                file_share_name="instruments-nfs",
                role_arn=role.arn,
                client_lists=cidrs,
                squash="RootSquash",
                kms_encrypted=True,
                kms_key_arn=args["kms_key_arn"],
                audit_destination_arn=log_group.arn,
                default_storage_class="S3_INTELLIGENT_TIERING",
                object_acl="bucket-owner-full-control",
                requester_pays=False,
                opts=pulumi.ResourceOptions(parent=self),
            )
        self.gateway_arn = gateway.arn
        self.bucket_name = bucket.bucket
        self.smb_share_path = smb.path

    def _active_directory_settings(
        self,
    ) -> aws.storagegateway.GatewaySmbActiveDirectorySettingsArgs:
        """The domain join, with the join password read from its secret and kept secret."""
        directory = self._args["smb_active_directory"]
        password = aws.secretsmanager.get_secret_version_output(
            secret_id=directory["password_secret_arn"],
            opts=pulumi.InvokeOutputOptions(parent=self),
        ).secret_string
        return aws.storagegateway.GatewaySmbActiveDirectorySettingsArgs(
            domain_name=directory["domain_name"],
            username=directory["username"],
            password=pulumi.Output.secret(password),
            domain_controllers=list(directory.get("domain_controllers", ())) or None,
            organizational_unit=directory.get("organizational_unit"),
        )

    def _create_bucket(self) -> aws.s3.Bucket:
        """The WORM lab bucket with the lake's protections and Intelligent-Tiering archives."""
        args = self._args
        opts = pulumi.ResourceOptions(parent=self)
        bucket = aws.s3.Bucket(
            f"{self._base}-bucket",
            bucket=args.get("bucket_name"),
            # Object Lock can only be turned on when the bucket is created.
            object_lock_enabled=True,
            force_destroy=False,
            opts=opts,
        )
        aws.s3.BucketOwnershipControls(
            f"{self._base}-bucket-ownership",
            bucket=bucket.id,
            rule=aws.s3.BucketOwnershipControlsRuleArgs(object_ownership="BucketOwnerEnforced"),
            opts=opts,
        )
        aws.s3.BucketPublicAccessBlock(
            f"{self._base}-bucket-public-access",
            bucket=bucket.id,
            block_public_acls=True,
            block_public_policy=True,
            ignore_public_acls=True,
            restrict_public_buckets=True,
            opts=opts,
        )
        versioning = aws.s3.BucketVersioning(
            f"{self._base}-bucket-versioning",
            bucket=bucket.id,
            versioning_configuration=aws.s3.BucketVersioningVersioningConfigurationArgs(
                status="Enabled"
            ),
            opts=opts,
        )
        aws.s3.BucketServerSideEncryptionConfiguration(
            f"{self._base}-bucket-encryption",
            bucket=bucket.id,
            rules=[
                aws.s3.BucketServerSideEncryptionConfigurationRuleArgs(
                    apply_server_side_encryption_by_default=_SseByDefault(
                        sse_algorithm="aws:kms", kms_master_key_id=args["kms_key_arn"]
                    ),
                    bucket_key_enabled=True,
                )
            ],
            opts=opts,
        )
        aws.s3.BucketObjectLockConfiguration(
            f"{self._base}-bucket-object-lock",
            bucket=bucket.id,
            object_lock_enabled="Enabled",
            rule=aws.s3.BucketObjectLockConfigurationRuleArgs(
                default_retention=aws.s3.BucketObjectLockConfigurationRuleDefaultRetentionArgs(
                    mode=args.get("object_lock_mode", "GOVERNANCE"),
                    days=args.get("object_lock_days", 365),
                )
            ),
            # Object Lock needs versioning, which the separate resource turns on.
            opts=pulumi.ResourceOptions(parent=self, depends_on=[versioning]),
        )
        aws.s3.BucketPolicy(
            f"{self._base}-bucket-policy",
            bucket=bucket.id,
            policy=render(
                {
                    "Version": "2012-10-17",
                    "Statement": [
                        {
                            "Sid": "DenyInsecureTransport",
                            "Effect": "Deny",
                            "Principal": "*",
                            "Action": "s3:*",
                            "Resource": [bucket.arn, pulumi.Output.concat(bucket.arn, "/*")],
                            "Condition": {"Bool": {"aws:SecureTransport": "false"}},
                        },
                        {
                            "Sid": "DenyOutdatedTls",
                            "Effect": "Deny",
                            "Principal": "*",
                            "Action": "s3:*",
                            "Resource": [bucket.arn, pulumi.Output.concat(bucket.arn, "/*")],
                            "Condition": {"NumericLessThan": {"s3:TlsVersion": "1.2"}},
                        },
                    ],
                }
            ),
            opts=opts,
        )
        tiers = intelligent_tiering_tiers(
            args.get("archive_access_days", 90), args.get("deep_archive_access_days", 180)
        )
        if tiers:
            aws.s3.BucketIntelligentTieringConfiguration(
                f"{self._base}-bucket-tiering",
                bucket=bucket.id,
                name="instrument-archive",
                status="Enabled",
                tierings=[
                    aws.s3.BucketIntelligentTieringConfigurationTieringArgs(
                        access_tier=tier, days=days
                    )
                    for tier, days in tiers
                ],
                opts=opts,
            )
        return bucket

    def _create_share_role(
        self, bucket: aws.s3.Bucket, account_id: pulumi.Output[str], region: pulumi.Output[str]
    ) -> aws.iam.Role:
        """What the gateway needs on the lab bucket and key, for this account's gateways only."""
        gateways = pulumi.Output.concat(
            "arn:aws:storagegateway:", region, ":", account_id, ":gateway/*"
        )
        role = aws.iam.Role(
            f"{self._base}-share-role",
            description="S3 File Gateway access to the lab bucket.",
            assume_role_policy=service_trust_policy(
                "storagegateway.amazonaws.com", account_id, source_arn=gateways
            ).render(),
            opts=pulumi.ResourceOptions(parent=self),
        )
        objects = pulumi.Output.concat(bucket.arn, "/*")
        aws.iam.RolePolicy(
            f"{self._base}-share-policy",
            role=role.id,
            policy=render(
                document(
                    statement(
                        "ListLabBucket",
                        [
                            "s3:GetAccelerateConfiguration",
                            "s3:GetBucketLocation",
                            "s3:GetBucketVersioning",
                            "s3:ListBucket",
                            "s3:ListBucketMultipartUploads",
                            "s3:ListBucketVersions",
                        ],
                        [bucket.arn],
                    ),
                    statement(
                        "ReadWriteLabObjects",
                        [
                            "s3:AbortMultipartUpload",
                            "s3:DeleteObject",
                            "s3:GetObject",
                            "s3:GetObjectAcl",
                            "s3:GetObjectVersion",
                            "s3:ListMultipartUploadParts",
                            "s3:PutObject",
                            "s3:PutObjectAcl",
                        ],
                        [objects],
                    ),
                    statement(
                        "EncryptLabObjects",
                        ["kms:Decrypt", "kms:Encrypt", "kms:GenerateDataKey", "kms:ReEncrypt*"],
                        [self._args["kms_key_arn"]],
                        {
                            "StringEquals": {
                                "kms:ViaService": pulumi.Output.concat(
                                    "s3.", region, ".amazonaws.com"
                                )
                            }
                        },
                    ),
                )
            ),
            opts=pulumi.ResourceOptions(parent=self),
        )
        return role

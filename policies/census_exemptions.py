"""Why a security-relevant input of a present type needs no rule of its own.

The property census (`tools/census.py`, `policies/census.json`) lists every input of every type
the stacks create that bears on security or data protection. Each is guarded by a rule (the
rule's `guards`) or named here with a one-line reason: a test covering it instead, a mode the
stack does not use, or why it protects nothing. A new type or input that is neither fails
`tests/policies/test_census.py`. Reasons are shared by name so one explanation is written once.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Final

__all__ = ["EXEMPTIONS"]


def _under(reason: str, type_token: str, *inputs: str) -> dict[str, str]:
    """`reason` for each of `inputs` (census paths below `type_token`)."""
    return {f"{type_token}.{name}": reason for name in inputs}


_LEGACY_BUCKET: Final = (
    "pulumi-aws 7's deprecated inline bucket block; the stack sets this through the separate "
    "aws.s3.Bucket* resource, which the s3-bucket-* rules judge"
)
_ACL_DISABLED: Final = (
    "ACLs have no effect: BucketOwnerEnforced ownership disables them "
    "(s3-bucket-ownership-enforced)"
)
_DESTROY_ONLY: Final = (
    "provider behaviour when the stack itself is destroyed, not a setting of the deployed "
    "resource; locked data stays locked whatever it says"
)
_OBJECT_UPLOAD: Final = (
    "the one BucketObjectv2 is a pipeline definition the program uploads; the bucket's "
    "default encryption and Object Lock defaults (s3-bucket-sse-kms, "
    "s3-bucket-object-lock-worm) apply to it"
)
_NETWORK_LAYOUT: Final = (
    "network layout, not exposure: what each subnet and route reaches is checked over the "
    "rendered stack by tests/stack/test_network_reachability.py and "
    "tests/components/test_network.py"
)
_EGRESS: Final = (
    "egress is where the platform's own traffic goes (HTTPS to endpoints and NAT); which "
    "destinations each security group reaches is tests/stack/test_network_reachability.py's "
    "business"
)
_NO_PUBLIC_IP_TASKS: Final = (
    "only for ECS/Fargate targets, which the stack does not use (its targets are Lambda, Step "
    "Functions and SQS)"
)
_LT_INTERFACES: Final = (
    "the launch templates define no network interfaces: nodes and Batch instances take the "
    "private subnets and security groups of their node group / compute environment "
    "(tests/components/test_lab_batch.py)"
)
_SCRATCH_VOLUMES: Final = (
    "node and Batch root/scratch volumes hold only scratch, which is never transferred or "
    "kept (docs/transfer.md); encryption itself is guarded by "
    "ec2-launch-template-ebs-encrypted, and an unset key means the account's EBS default key"
)
_IMDS_DETAIL: Final = (
    "instance-metadata detail under the IMDSv2 requirement ec2-imdsv2-required enforces; hop "
    "limit and IPv6 do not reopen IMDSv1"
)
_OWN_SERVICE_KEY: Final = (
    "the service encrypts these at rest with its own key whatever is set; a customer key here "
    "is not a promise of the docs and holds no genomic data (metadata, events, schedules)"
)
_OBSERVABILITY_DETAIL: Final = (
    "observability detail beyond the logging rules (log groups, retention and KMS are "
    "guarded); what each function and workflow logs is tested in "
    "tests/components/test_function.py and test_lab_sync_workflow.py"
)
_WIRING_DESTINATIONS: Final = (
    "an own-stack wiring target (function, queue, state machine, location); that each one "
    "exists and is the intended one is tested over the rendered stack "
    "(tests/stack/test_watched.py, tests/stack/test_life_of_a_file.py)"
)
_TRANSFER_OPTIONS: Final = (
    "decides what a transfer writes, not what it deletes: OverwriteMode ALWAYS writes a new "
    "version into the versioned lake buckets (s3-bucket-versioning-enabled), and TransferMode "
    "ALL cannot be combined with REMOVE (datasync-task-preserves-deleted-files)"
)
_LIFECYCLE_VERSIONS: Final = (
    "moves or ends noncurrent versions and storage classes only; current objects are what the "
    "platform keeps, and expiring them on write-once data is "
    "s3-lifecycle-never-expires-worm-data's business"
)
_EFS_LIFECYCLE: Final = (
    "storage-class moves of workspace files, never deletions; backups are guarded by "
    "efs-file-system-backup-enabled"
)
_EFS_REPLICATION: Final = (
    "the file system has no EFS replication; the workspaces reach the DR region through the "
    "lake's S3 replication"
)
_REPLICATION_DETAIL: Final = (
    "replication detail beside the scope and destination the replication rules judge; the DR "
    "key and delete-marker, RTC and replica-modification settings are asserted by "
    "tests/components/test_data_lake.py"
)
_SSE_BLOCKED_TYPES: Final = (
    "which encryption an upload may ask for is decided by the bucket policy's "
    "DenyNonKmsEncryption and DenyForeignKmsKey statements, exercised by "
    "tests/tools/test_access_matrix.py"
)
_MFA_DELETE: Final = (
    "MFA delete can only be set with the root user's MFA device, never by a deployment (S3 "
    "User Guide, 'Configuring MFA delete'); Object Lock protects raw data instead"
)
_TARGET_GRANTS: Final = (
    "log delivery grants: the access-logs buckets enforce BucketOwnerEnforced ownership "
    "(s3-bucket-ownership-enforced), which refuses target grants"
)
_VAULT_LOCK: Final = (
    "the vault lock's mode and retention bounds are settings (backupVaultLock, "
    "backupRetentionDays) asserted by tests/components/test_ops_automation.py; a lock cannot "
    "be weakened once compliance mode starts"
)
_OTHER_POLICY_DOCS: Final = (
    "IAM documents outside the data lake's grants: parliament lints every document the "
    "program renders (tests/tools/test_iam_lint_program.py) and the access matrix evaluates "
    "them (tests/tools/test_access_matrix.py)"
)
_LOCKOUT_CHECK: Final = (
    "left unset (false), so AWS keeps refusing a policy that would lock the account out; it "
    "widens no access"
)
_KMS_KEY_LIFE: Final = (
    "key lifetime settings asserted per key by tests/components/test_data_lake.py (deletion "
    "window); keys are single-region so each region's data keeps its own key"
)
_ECR_TEMPLATE: Final = (
    "repositories the pull-through cache creates hold public upstream images only; their "
    "encryption and lifecycle are asserted by tests/pipelines/test_stack.py"
)
_API_DETAIL: Final = (
    "the REST API authorises every method with SigV4 (apigateway-method-authorization); "
    "Cognito scopes, cache invalidation and client certificates apply only to modes it does "
    "not use"
)
_API_TLS: Final = (
    "the execute-api endpoint's TLS policy is left at AWS's default; not judged by a rule yet "
    "(apigateway-domain-name-tls12 covers custom domains)"
)
_ELN_CONNECTION: Final = (
    "the ELN connection's credentials are kept by EventBridge in Secrets Manager and its "
    "endpoint is the configured elnEndpoint (tests/components/test_lab_sync_workflow.py)"
)
_DYNAMO_DETAIL: Final = (
    "the metadata table is single-region with no replicas; deletion protection is a console "
    "guard, and PITR (dynamodb-table-pitr-enabled) recovers it"
)
_CONSOLE_GUARDS: Final = (
    "deletion protection against console and API deletes, not a data-protection promise of "
    "the docs; the data itself is protected by retention and backups"
)
_EKS_ACCESS: Final = (
    "EKS access entries and their admin roles are settings (eksAdminRoleArns) tested in "
    "tests/components/test_cluster.py; node-repair conditions are health checks"
)
_BATCH_PLATFORM: Final = (
    "the Batch jobs run on EC2 (no EKS properties, no Fargate platform); "
    "batch-job-definition-unprivileged judges EKS security contexts should one appear"
)
_EFS_ACCESS_POINT: Final = (
    "the access points' root directories and POSIX users are asserted by "
    "tests/components/test_shared_filesystem.py and followed end to end by "
    "tests/stack/test_life_of_a_file.py"
)
_RECLAIM: Final = (
    "reclaimPolicy is the efsReclaimPolicy setting (Retain in prod), asserted by "
    "tests/components/test_shared_filesystem.py"
)
_BLUEPRINT_REGIONS: Final = (
    "DataZone blueprint regions come from the lake's region (data residency); "
    "tests/components/test_lab_governance.py"
)
_QUEUE_RETENTION: Final = (
    "how long a queue keeps undelivered events (DLQs); messages carry event metadata, never "
    "genomic data"
)
_DURABLE: Final = (
    "Lambda durable-execution state retention; the functions do not use durable execution"
)

EXEMPTIONS: Final[Mapping[str, str]] = {
    **_under(
        _LEGACY_BUCKET,
        "aws:s3/bucket:Bucket",
        "lifecycleRules[]",
        "lifecycleRules[].expiration",
        "lifecycleRules[].expiration.expiredObjectDeleteMarker",
        "lifecycleRules[].noncurrentVersionExpiration",
        "lifecycleRules[].noncurrentVersionTransitions[]",
        "lifecycleRules[].transitions[]",
        "logging",
        "objectLockConfiguration",
        "objectLockConfiguration.objectLockEnabled",
        "objectLockConfiguration.rule.defaultRetention",
        "replicationConfiguration",
        "replicationConfiguration.rules[].deleteMarkerReplicationStatus",
        "replicationConfiguration.rules[].destination",
        "replicationConfiguration.rules[].destination.replicaKmsKeyId",
        "replicationConfiguration.rules[].destination.replicationTime",
        "replicationConfiguration.rules[].sourceSelectionCriteria.sseKmsEncryptedObjects",
        "serverSideEncryptionConfiguration",
        "serverSideEncryptionConfiguration.rule.applyServerSideEncryptionByDefault",
        "serverSideEncryptionConfiguration.rule.applyServerSideEncryptionByDefault.kmsMasterKeyId",
        "serverSideEncryptionConfiguration.rule.applyServerSideEncryptionByDefault.sseAlgorithm",
        "serverSideEncryptionConfiguration.rule.blockedEncryptionTypes",
        "versioning",
        "versioning.mfaDelete",
    ),
    **_under(
        _ACL_DISABLED,
        "aws:s3/bucket:Bucket",
        "acl",
    ),
    **_under(
        _ACL_DISABLED,
        "aws:s3/bucketObjectv2:BucketObjectv2",
        "acl",
    ),
    **_under(
        _DESTROY_ONLY,
        "aws:s3/bucket:Bucket",
        "forceDestroy",
    ),
    **_under(
        _DESTROY_ONLY,
        "aws:s3/bucketObjectv2:BucketObjectv2",
        "forceDestroy",
    ),
    **_under(
        _DESTROY_ONLY,
        "aws:backup/vault:Vault",
        "forceDestroy",
    ),
    **_under(
        _DESTROY_ONLY,
        "aws:cloudwatch/eventRule:EventRule",
        "forceDestroy",
    ),
    **_under(
        _DESTROY_ONLY,
        "aws:cloudwatch/eventTarget:EventTarget",
        "forceDestroy",
    ),
    **_under(
        _DESTROY_ONLY,
        "aws:cloudwatch/logGroup:LogGroup",
        "skipDestroy",
    ),
    **_under(
        _DESTROY_ONLY,
        "aws:lambda/function:Function",
        "skipDestroy",
        "replaceSecurityGroupsOnDestroy",
    ),
    **_under(
        _DESTROY_ONLY,
        "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock",
        "skipDestroy",
    ),
    **_under(
        _DESTROY_ONLY,
        "aws:ec2/defaultSecurityGroup:DefaultSecurityGroup",
        "revokeRulesOnDelete",
    ),
    **_under(
        _DESTROY_ONLY,
        "aws:ec2/securityGroup:SecurityGroup",
        "revokeRulesOnDelete",
    ),
    **_under(
        _DESTROY_ONLY,
        "aws:datazone/domain:Domain",
        "skipDeletionCheck",
    ),
    **_under(
        _DESTROY_ONLY,
        "aws:datazone/project:Project",
        "skipDeletionCheck",
    ),
    **_under(
        _OBJECT_UPLOAD,
        "aws:s3/bucketObjectv2:BucketObjectv2",
        "kmsKeyId",
        "serverSideEncryption",
        "objectLockLegalHoldStatus",
        "objectLockMode",
        "objectLockRetainUntilDate",
    ),
    **_under(
        _NETWORK_LAYOUT,
        "aws:ec2/route:Route",
        "destinationCidrBlock",
        "destinationIpv6CidrBlock",
        "destinationPrefixListId",
        "egressOnlyGatewayId",
    ),
    **_under(
        _NETWORK_LAYOUT,
        "aws:ec2/routeTable:RouteTable",
        "routes[].cidrBlock",
        "routes[].destinationPrefixListId",
        "routes[].egressOnlyGatewayId",
        "routes[].ipv6CidrBlock",
    ),
    **_under(
        _NETWORK_LAYOUT,
        "aws:ec2/subnet:Subnet",
        "cidrBlock",
        "ipv6CidrBlock",
        "mapPublicIpOnLaunch",
    ),
    **_under(
        _NETWORK_LAYOUT,
        "aws:ec2/vpc:Vpc",
        "assignGeneratedIpv6CidrBlock",
        "cidrBlock",
        "ipv6CidrBlock",
        "ipv6CidrBlockNetworkBorderGroup",
    ),
    **_under(
        _NETWORK_LAYOUT,
        "aws:ec2/eip:Eip",
        "publicIpv4Pool",
    ),
    **_under(
        _NETWORK_LAYOUT,
        "aws:ec2/vpcEndpoint:VpcEndpoint",
        "serviceRegion",
    ),
    **_under(
        _NETWORK_LAYOUT,
        "aws:eks/cluster:Cluster",
        "kubernetesNetworkConfig.serviceIpv4Cidr",
        "kubernetesNetworkConfig.serviceIpv6Cidr",
        "remoteNetworkConfig.remoteNodeNetworks.cidrs",
        "remoteNetworkConfig.remotePodNetworks.cidrs",
        "vpcConfig.controlPlaneEgressMode",
        "kubeApiServerConfig.serviceNodePortRange",
        "kubeApiServerConfig.serviceNodePortRange.maxPort",
        "kubeApiServerConfig.serviceNodePortRange.minPort",
    ),
    **_under(
        _EGRESS,
        "aws:ec2/securityGroup:SecurityGroup",
        "egress[]",
        "egress[].cidrBlocks",
        "egress[].fromPort",
        "egress[].ipv6CidrBlocks",
        "egress[].protocol",
        "egress[].toPort",
    ),
    **_under(
        _EGRESS,
        "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule",
        "cidrIpv4",
        "cidrIpv6",
        "fromPort",
        "ipProtocol",
        "toPort",
    ),
    **_under(
        _NO_PUBLIC_IP_TASKS,
        "aws:cloudwatch/eventTarget:EventTarget",
        "ecsTarget.networkConfiguration.assignPublicIp",
    ),
    **_under(
        _NO_PUBLIC_IP_TASKS,
        "aws:scheduler/schedule:Schedule",
        "target.ecsParameters.networkConfiguration.assignPublicIp",
    ),
    **_under(
        _LT_INTERFACES,
        "aws:ec2/launchTemplate:LaunchTemplate",
        "networkInterfaces[].associatePublicIpAddress",
        "networkInterfaces[].deleteOnTermination",
        "secondaryInterfaces[].deleteOnTermination",
    ),
    **_under(
        _SCRATCH_VOLUMES,
        "aws:ec2/launchTemplate:LaunchTemplate",
        "blockDeviceMappings[].ebs.deleteOnTermination",
        "blockDeviceMappings[].ebs.kmsKeyId",
    ),
    **_under(
        _IMDS_DETAIL,
        "aws:ec2/launchTemplate:LaunchTemplate",
        "metadataOptions.httpProtocolIpv6",
        "metadataOptions.httpPutResponseHopLimit",
    ),
    **_under(
        _OWN_SERVICE_KEY,
        "aws:cloudwatch/eventBus:EventBus",
        "kmsKeyIdentifier",
    ),
    **_under(
        _OWN_SERVICE_KEY,
        "aws:cloudwatch/eventConnection:EventConnection",
        "kmsKeyIdentifier",
    ),
    **_under(
        _OWN_SERVICE_KEY,
        "aws:scheduler/schedule:Schedule",
        "kmsKeyArn",
    ),
    **_under(
        _OWN_SERVICE_KEY,
        "aws:datazone/domain:Domain",
        "kmsKeyIdentifier",
    ),
    **_under(
        _OWN_SERVICE_KEY,
        "aws:sfn/stateMachine:StateMachine",
        "encryptionConfiguration",
        "encryptionConfiguration.kmsDataKeyReusePeriodSeconds",
        "encryptionConfiguration.kmsKeyId",
    ),
    **_under(
        _OWN_SERVICE_KEY,
        "aws:lambda/function:Function",
        "kmsKeyArn",
        "sourceKmsKeyArn",
    ),
    **_under(
        _OWN_SERVICE_KEY,
        "aws:sqs/queue:Queue",
        "kmsDataKeyReusePeriodSeconds",
    ),
    **_under(
        _OWN_SERVICE_KEY,
        "aws:apigateway/methodSettings:MethodSettings",
        "settings.cacheDataEncrypted",
    ),
    **_under(
        _OWN_SERVICE_KEY,
        "aws-native:omics:ReferenceStore",
        "sseConfig",
    ),
    **_under(
        _OWN_SERVICE_KEY,
        "aws-native:omics:SequenceStore",
        "sseConfig",
    ),
    **_under(
        _OBSERVABILITY_DETAIL,
        "aws:lambda/function:Function",
        "loggingConfig",
        "loggingConfig.applicationLogLevel",
        "loggingConfig.logFormat",
        "loggingConfig.logGroup",
        "loggingConfig.systemLogLevel",
    ),
    **_under(
        _OBSERVABILITY_DETAIL,
        "aws:sfn/stateMachine:StateMachine",
        "tracingConfiguration",
    ),
    **_under(
        _OBSERVABILITY_DETAIL,
        "aws:sns/topic:Topic",
        "tracingConfig",
    ),
    **_under(
        _OBSERVABILITY_DETAIL,
        "aws:cloudwatch/eventBus:EventBus",
        "logConfig",
    ),
    **_under(
        _OBSERVABILITY_DETAIL,
        "aws:apigateway/methodSettings:MethodSettings",
        "settings.loggingLevel",
    ),
    **_under(
        _OBSERVABILITY_DETAIL,
        "aws:cloudwatch/logGroup:LogGroup",
        "logGroupClass",
    ),
    **_under(
        _OBSERVABILITY_DETAIL,
        "aws:cloudwatch/logSubscriptionFilter:LogSubscriptionFilter",
        "applyOnTransformedLogs",
        "logGroup",
        "destinationArn",
    ),
    **_under(
        _OBSERVABILITY_DETAIL,
        "aws:ec2/flowLog:FlowLog",
        "destinationOptions",
        "logDestination",
        "logDestinationType",
        "logFormat",
    ),
    **_under(
        _OBSERVABILITY_DETAIL,
        "aws-native:omics:SequenceStore",
        "accessLogLocation",
    ),
    **_under(
        _WIRING_DESTINATIONS,
        "aws:cloudwatch/eventTarget:EventTarget",
        "arn",
    ),
    **_under(
        _WIRING_DESTINATIONS,
        "aws:lambda/functionEventInvokeConfig:FunctionEventInvokeConfig",
        "destinationConfig",
        "destinationConfig.onFailure.destination",
        "destinationConfig.onSuccess.destination",
    ),
    **_under(
        _WIRING_DESTINATIONS,
        "aws:datasync/task:Task",
        "destinationLocationArn",
        "taskReportConfig.s3Destination",
    ),
    **_under(
        _WIRING_DESTINATIONS,
        "aws-native:omics:Workflow",
        "containerRegistryMap.imageMappings[].destinationImage",
    ),
    **_under(
        _TRANSFER_OPTIONS,
        "aws:datasync/task:Task",
        "options.overwriteMode",
        "options.transferMode",
        "options.securityDescriptorCopyFlags",
        "taskReportConfig.reportOverrides.deletedOverride",
        "taskReportConfig.s3ObjectVersioning",
    ),
    **_under(
        _LIFECYCLE_VERSIONS,
        "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration",
        "rules[].noncurrentVersionExpiration",
        "rules[].noncurrentVersionExpiration.newerNoncurrentVersions",
        "rules[].noncurrentVersionExpiration.noncurrentDays",
        "rules[].noncurrentVersionTransitions[]",
        "rules[].noncurrentVersionTransitions[].newerNoncurrentVersions",
        "rules[].noncurrentVersionTransitions[].noncurrentDays",
        "rules[].transitions[]",
        "transitionDefaultMinimumObjectSize",
    ),
    **_under(
        _EFS_LIFECYCLE,
        "aws:efs/fileSystem:FileSystem",
        "lifecyclePolicies[]",
        "lifecyclePolicies[].transitionToArchive",
        "lifecyclePolicies[].transitionToIa",
        "lifecyclePolicies[].transitionToPrimaryStorageClass",
    ),
    **_under(
        _EFS_REPLICATION,
        "aws:efs/fileSystem:FileSystem",
        "protection",
        "protection.replicationOverwrite",
    ),
    **_under(
        _REPLICATION_DETAIL,
        "aws:s3/bucketReplicationConfig:BucketReplicationConfig",
        "rules[].deleteMarkerReplication",
        "rules[].destination.encryptionConfiguration",
        "rules[].destination.encryptionConfiguration.replicaKmsKeyId",
        "rules[].destination.replicationTime",
        "rules[].existingObjectReplication",
        "rules[].sourceSelectionCriteria.replicaModifications",
    ),
    **_under(
        _SSE_BLOCKED_TYPES,
        "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration",
        "rules[].blockedEncryptionTypes",
    ),
    **_under(
        _MFA_DELETE,
        "aws:s3/bucketVersioning:BucketVersioning",
        "versioningConfiguration.mfaDelete",
    ),
    **_under(
        _VAULT_LOCK,
        "aws:backup/vaultLockConfiguration:VaultLockConfiguration",
        "maxRetentionDays",
        "minRetentionDays",
    ),
    **_under(
        _OTHER_POLICY_DOCS,
        "aws:ec2/vpcEndpoint:VpcEndpoint",
        "policy",
    ),
    **_under(
        _OTHER_POLICY_DOCS,
        "aws:ecr/registryPolicy:RegistryPolicy",
        "policy",
    ),
    **_under(
        _OTHER_POLICY_DOCS,
        "aws:ecr/repositoryCreationTemplate:RepositoryCreationTemplate",
        "repositoryPolicy",
    ),
    **_under(
        _OTHER_POLICY_DOCS,
        "aws:eks/podIdentityAssociation:PodIdentityAssociation",
        "policy",
    ),
    **_under(
        _OTHER_POLICY_DOCS,
        "aws-native:omics:SequenceStore",
        "s3AccessPolicy",
    ),
    **_under(
        _OTHER_POLICY_DOCS,
        "aws:iam/role:Role",
        "managedPolicyArns",
    ),
    **_under(
        _OTHER_POLICY_DOCS,
        "aws:cloudwatch/logResourcePolicy:LogResourcePolicy",
        "policyName",
    ),
    **_under(
        _OTHER_POLICY_DOCS,
        "aws:lambda/permission:Permission",
        "principalOrgId",
    ),
    **_under(
        _LOCKOUT_CHECK,
        "aws:kms/key:Key",
        "bypassPolicyLockoutSafetyCheck",
    ),
    **_under(
        _LOCKOUT_CHECK,
        "aws:efs/fileSystemPolicy:FileSystemPolicy",
        "bypassPolicyLockoutSafetyCheck",
    ),
    **_under(
        _KMS_KEY_LIFE,
        "aws:kms/key:Key",
        "deletionWindowInDays",
        "multiRegion",
    ),
    **_under(
        _ECR_TEMPLATE,
        "aws:ecr/repositoryCreationTemplate:RepositoryCreationTemplate",
        "encryptionConfigurations[]",
        "encryptionConfigurations[].encryptionType",
        "encryptionConfigurations[].kmsKey",
        "lifecyclePolicy",
    ),
    **_under(
        _API_DETAIL,
        "aws:apigateway/method:Method",
        "authorizationScopes",
    ),
    **_under(
        _API_DETAIL,
        "aws:apigateway/methodSettings:MethodSettings",
        "settings.requireAuthorizationForCacheControl",
    ),
    **_under(
        _API_DETAIL,
        "aws:apigateway/stage:Stage",
        "clientCertificateId",
    ),
    **_under(
        _API_DETAIL,
        "aws:apigateway/integration:Integration",
        "tlsConfig",
    ),
    **_under(
        _API_TLS,
        "aws:apigateway/restApi:RestApi",
        "securityPolicy",
    ),
    **_under(
        _ELN_CONNECTION,
        "aws:cloudwatch/eventConnection:EventConnection",
        "authParameters.invocationHttpParameters",
        "authParameters.oauth.authorizationEndpoint",
        "authParameters.oauth.oauthHttpParameters",
        "authorizationType",
    ),
    **_under(
        _ELN_CONNECTION,
        "aws:cloudwatch/eventTarget:EventTarget",
        "httpTarget",
    ),
    **_under(
        _DYNAMO_DETAIL,
        "aws:dynamodb/table:Table",
        "deletionProtectionEnabled",
        "globalTableWitness.regionName",
        "replicas[].deletionProtectionEnabled",
        "replicas[].kmsKeyArn",
        "replicas[].regionName",
    ),
    **_under(
        _CONSOLE_GUARDS,
        "aws:cloudwatch/logGroup:LogGroup",
        "deletionProtectionEnabled",
    ),
    **_under(
        _CONSOLE_GUARDS,
        "aws:eks/cluster:Cluster",
        "deletionProtection",
    ),
    **_under(
        _EKS_ACCESS,
        "aws:eks/cluster:Cluster",
        "accessConfig.authenticationMode",
        "accessConfig.bootstrapClusterCreatorAdminPermissions",
    ),
    **_under(
        _EKS_ACCESS,
        "aws:eks/nodeGroup:NodeGroup",
        "nodeRepairConfig.nodeRepairConfigOverrides[].nodeMonitoringCondition",
    ),
    **_under(
        _BATCH_PLATFORM,
        "aws:batch/jobDefinition:JobDefinition",
        "eksProperties",
        "platformCapabilities",
    ),
    **_under(
        _EFS_ACCESS_POINT,
        "aws:efs/accessPoint:AccessPoint",
        "rootDirectory",
    ),
    **_under(
        _RECLAIM,
        "kubernetes:storage.k8s.io/v1:StorageClass",
        "reclaimPolicy",
    ),
    **_under(
        _BLUEPRINT_REGIONS,
        "aws:datazone/environmentBlueprintConfiguration:EnvironmentBlueprintConfiguration",
        "enabledRegions",
    ),
    **_under(
        _QUEUE_RETENTION,
        "aws:sqs/queue:Queue",
        "messageRetentionSeconds",
    ),
    **_under(
        _DURABLE,
        "aws:lambda/function:Function",
        "durableConfig.retentionPeriod",
    ),
    **_under(
        _TARGET_GRANTS,
        "aws:s3/bucketLogging:BucketLogging",
        "targetGrants[].permission",
    ),
}
"""Census path → why no rule judges it."""

"""The EKS cluster genomics pods run on: private API, logged, encrypted, with managed nodes.

Built from plain `pulumi_aws.eks` resources (not the `pulumi_eks` component) so every child is
registered by this Python program and visible to offline preview and the policy pack.

- The API endpoint is private; it is public only when CIDRs are given, and then only to them.
- All five control-plane log types go to `/aws/eks/<cluster>/cluster`, created here first
  with retention and KMS (EKS would otherwise create it unencrypted and never expiring).
- Secrets are envelope-encrypted with a customer-managed key; access is through access
  entries (authentication mode API), admins get AmazonEKSClusterAdminPolicy.
- Managed node groups run from launch templates with IMDSv2 required and encrypted gp3 roots;
  the templates tag the instances, volumes and network interfaces they launch with the
  taxonomy tags and a Name, because provider default tags stop at the template.
- Add-ons: vpc-cni, kube-proxy and eks-pod-identity-agent before nodes join; coredns and the
  EFS CSI driver (its role bound by EKS Pod Identity, or IRSA) once nodes exist. Each runs
  EKS's default version for the Kubernetes version unless `addon_versions` pins it.
"""

from __future__ import annotations

import ipaddress
import json
import re
from collections.abc import Mapping, Sequence
from typing import Any, Final, Literal, NotRequired, TypedDict

import pulumi
import pulumi_aws as aws
import pulumi_kubernetes as k8s

from components.blocks.iam_documents import service_trust_policy
from components.compute.documents import (
    cluster_secrets_key_permissions,
    irsa_trust_policy,
    key_policy,
    logs_service_key_statements,
    managed_policy_arn,
    pod_identity_trust_policy,
    render,
)
from contracts.facts import LOG_RETENTION_DAYS
from settings.model import SUPPORTED_EKS_VERSIONS

__all__ = [
    "CONTROL_PLANE_LOG_TYPES",
    "EFS_CSI_POLICY_ARN",
    "EFS_CSI_SERVICE_ACCOUNTS",
    "Cluster",
    "ClusterArgs",
    "NodeGroupSpec",
]

CONTROL_PLANE_LOG_TYPES: Final = ("api", "audit", "authenticator", "controllerManager", "scheduler")
"""Every control-plane log type EKS can ship; audit and authenticator matter most."""

EFS_CSI_POLICY_ARN: Final = managed_policy_arn("service-role/AmazonEFSCSIDriverPolicy")
"""The AWS managed policy of the EFS CSI driver (access point lifecycle, mount target lookup)."""

EFS_CSI_SERVICE_ACCOUNTS: Final = ("efs-csi-controller-sa", "efs-csi-node-sa")
"""Service accounts of the EFS CSI add-on in kube-system: the controller creates access points,
the node plugin mounts with the `iam` option and so needs credentials too."""

CLUSTER_ADMIN_POLICY_ARN: Final = (
    "arn:aws:eks::aws:cluster-access-policy/AmazonEKSClusterAdminPolicy"
)

_NODE_POLICIES: Final = (
    "AmazonEKSWorkerNodePolicy",
    "AmazonEC2ContainerRegistryPullOnly",
    "AmazonEKS_CNI_Policy",
)
_TAINT: Final = re.compile(r"^([\w./-]+)=([\w.-]*):(NoSchedule|PreferNoSchedule|NoExecute)$")
_TAINT_EFFECTS: Final = {
    "NoSchedule": "NO_SCHEDULE",
    "PreferNoSchedule": "PREFER_NO_SCHEDULE",
    "NoExecute": "NO_EXECUTE",
}
_CLUSTER_NAME: Final = re.compile(r"^[0-9A-Za-z][A-Za-z0-9_-]{0,99}$")
_ROLE_ARN: Final = re.compile(r"^arn:aws[\w-]*:iam::\d{12}:role/[\w+=,.@/-]+$")
_GROUP_NAME: Final = re.compile(r"^[a-z][a-z0-9-]{1,30}$")
_LAUNCHED_RESOURCE_TYPES: Final = ("instance", "volume", "network-interface")
"""What a node launch template launches and tags."""
_ADDONS: Final = (
    "vpc-cni",
    "kube-proxy",
    "eks-pod-identity-agent",
    "coredns",
    "aws-efs-csi-driver",
)
_ADDON_VERSION: Final = re.compile(r"^v\d+\.\d+\.\d+-eksbuild\.\d+$")


class NodeGroupSpec(TypedDict):
    """One managed node group."""

    name: str
    """Short name (lowercase, hyphens), e.g. `general` or `alignment`."""
    instance_types: Sequence[str]
    """Instance types, several for Spot diversity, e.g. ["r6i.4xlarge", "r7i.4xlarge"]."""
    min_size: NotRequired[int]
    """Fewest nodes; default 1."""
    desired_size: NotRequired[int]
    """Nodes at creation; later left to the autoscaler; default 1."""
    max_size: NotRequired[int]
    """Most nodes; default 3."""
    capacity_type: NotRequired[Literal["ON_DEMAND", "SPOT"]]
    """ON_DEMAND (default) or SPOT for interruptible batch work such as alignment."""
    disk_size_gib: NotRequired[int]
    """Size of the encrypted gp3 root volume; default 100."""
    labels: NotRequired[Mapping[str, str]]
    """Kubernetes node labels, e.g. {"workload": "alignment"}."""
    taints: NotRequired[Sequence[str]]
    """Taints as `key=value:Effect`, e.g. `workload=alignment:NoSchedule`."""
    ami_type: NotRequired[str]
    """EKS AMI type; default AL2023_x86_64_STANDARD."""


class ClusterArgs(TypedDict):
    """Inputs of the EKS cluster."""

    cluster_name: str
    """Physical cluster name; also names its log group."""
    kubernetes_version: str
    """Kubernetes version, one of settings.model.SUPPORTED_EKS_VERSIONS."""
    subnet_ids: pulumi.Input[Sequence[pulumi.Input[str]]]
    """Private subnets (at least two zones) for the control-plane ENIs and the nodes."""
    node_security_group_id: pulumi.Input[str]
    """Security group the nodes carry besides the cluster group (from the network)."""
    resource_tags: Mapping[str, str]
    """Taxonomy tags (settings.resource_tags) for what node launch templates launch: instances,
    their volumes and network interfaces. Provider default tags reach the launch template
    itself but not what EC2 launches from it."""
    node_groups: NotRequired[Sequence[NodeGroupSpec]]
    """Managed node groups; default one on-demand `general` group of m6i.xlarge."""
    public_access_cidrs: NotRequired[Sequence[str]]
    """CIDRs that may reach a public API endpoint; empty (default) keeps the API private."""
    admin_role_arns: NotRequired[Sequence[str]]
    """IAM roles granted cluster admin through access entries; default none."""
    bootstrap_creator_admin: NotRequired[bool]
    """Make the deploying identity admin (this program's Kubernetes provider needs it); default
    true."""
    efs_csi_identity: NotRequired[Literal["pod-identity", "irsa"]]
    """How the EFS CSI driver gets its role: EKS Pod Identity (default) or IRSA."""
    log_retention_days: NotRequired[int]
    """Retention of the control-plane log group; default 365."""
    log_kms_key_arn: NotRequired[pulumi.Input[str]]
    """KMS key of the control-plane log group; default a new key only logs may use."""
    ebs_kms_key_arn: NotRequired[pulumi.Input[str]]
    """KMS key of node root volumes; default the account's EBS key (it must grant the
    Auto Scaling service-linked role)."""
    node_metadata_hop_limit: NotRequired[int]
    """IMDSv2 hop limit; 1 (default) keeps pods off the node role, 2 lets pods use IMDS."""
    deletion_protection: NotRequired[bool]
    """Refuse to delete the cluster until this is turned off; default true."""
    addon_versions: NotRequired[Mapping[str, str]]
    """Add-on name to pinned version, e.g. {"vpc-cni": "v1.19.2-eksbuild.1"}; add-ons left out
    (default: all) get EKS's default version for the Kubernetes version at creation."""


class Cluster(pulumi.ComponentResource):
    """An EKS cluster with managed node groups, add-ons and a Kubernetes provider."""

    cluster_name: pulumi.Output[str]
    """The cluster's name."""
    scheduling_cluster_name: pulumi.Output[str]
    """The cluster's name, resolved only once every node group exists: what add-ons and other
    consumers whose pods must schedule take, so they are created after the nodes."""
    cluster_arn: pulumi.Output[str]
    """The cluster's ARN."""
    endpoint: pulumi.Output[str]
    """The API server endpoint."""
    kubeconfig: pulumi.Output[str]
    """A kubeconfig (secret) that authenticates through `aws eks get-token`."""
    oidc_issuer: pulumi.Output[str]
    """The cluster's OIDC issuer URL."""
    oidc_provider_arn: pulumi.Output[str]
    """The IAM OIDC provider for IRSA roles of other components."""
    cluster_security_group_id: pulumi.Output[str]
    """The security group EKS created for the control plane and nodes."""
    node_security_group_id: pulumi.Output[str]
    """The additional node security group (from the network)."""
    node_role_arn: pulumi.Output[str]
    """The role every node runs as."""
    efs_csi_role_arn: pulumi.Output[str]
    """The role of the EFS CSI driver; the file-system policy lists it."""
    efs_csi_driver: aws.eks.Addon
    """The `aws-efs-csi-driver` add-on: EFS StorageClasses and claims are created after it."""
    k8s_provider: k8s.Provider
    """Kubernetes provider for resources inside this cluster."""

    def __init__(
        self, name: str, args: ClusterArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__("genomics:cluster:Cluster", name, None, opts)
        _validate(args)
        self._name = name
        self._args = args
        self._child = pulumi.ResourceOptions(parent=self)
        self._invoke = pulumi.InvokeOutputOptions(parent=self)
        self._account_id = aws.get_caller_identity_output(opts=self._invoke).account_id
        self._region = aws.get_region_output(opts=self._invoke).region

        cluster = self._create_cluster()
        self._create_oidc_provider(cluster)
        admin_grants = self._create_access_entries(cluster)
        node_role = self._create_node_role()
        early_addons = self._create_addons(
            cluster, ("vpc-cni", "kube-proxy", "eks-pod-identity-agent"), []
        )
        node_groups = self._create_node_groups(cluster, node_role, early_addons)
        self._create_addons(cluster, ("coredns",), node_groups)
        self._create_efs_csi_driver(cluster, node_groups)
        self._create_kubeconfig(cluster, admin_grants)

        self.cluster_name = cluster.name
        # An Output carries the resources it was computed from as dependencies, so a consumer
        # of this name (the Container Insights add-on in another component) waits for the node
        # groups: its DaemonSets cannot schedule before, and EKS times the add-on out short of
        # ACTIVE. The value is the cluster's name either way.
        self.scheduling_cluster_name = pulumi.Output.all(
            cluster.name, *[group.id for group in node_groups]
        ).apply(lambda values: str(values[0]))
        self.cluster_arn = cluster.arn
        self.endpoint = cluster.endpoint
        self.cluster_security_group_id = cluster.vpc_config.cluster_security_group_id
        self.node_security_group_id = pulumi.Output.from_input(args["node_security_group_id"])
        self.node_role_arn = node_role.arn
        self.register_outputs(
            {
                "clusterName": self.cluster_name,
                "schedulingClusterName": self.scheduling_cluster_name,
                "clusterArn": self.cluster_arn,
                "endpoint": self.endpoint,
                "kubeconfig": self.kubeconfig,
                "oidcIssuer": self.oidc_issuer,
                "oidcProviderArn": self.oidc_provider_arn,
                "clusterSecurityGroupId": self.cluster_security_group_id,
                "nodeSecurityGroupId": self.node_security_group_id,
                "nodeRoleArn": self.node_role_arn,
                "efsCsiRoleArn": self.efs_csi_role_arn,
            }
        )

    # ---- control plane ----

    def _create_cluster(self) -> aws.eks.Cluster:
        """Cluster role, secrets key, log group, then the cluster itself."""
        args = self._args
        cluster_name = args["cluster_name"]
        role = aws.iam.Role(
            f"{self._name}-cluster-role",
            description=f"EKS control plane of {cluster_name}",
            assume_role_policy=service_trust_policy(
                "eks.amazonaws.com", None, tag_session=True
            ).render(),
            opts=self._child,
        )
        cluster_policy = aws.iam.RolePolicyAttachment(
            f"{self._name}-cluster-policy",
            role=role.name,
            policy_arn=managed_policy_arn("AmazonEKSClusterPolicy"),
            opts=self._child,
        )
        secrets_key = aws.kms.Key(
            f"{self._name}-secrets-key",
            description=f"Envelope-encrypts Kubernetes secrets of {cluster_name}",
            enable_key_rotation=True,
            deletion_window_in_days=30,
            policy=render(key_policy(self._account_id)),
            opts=self._child,
        )
        aws.kms.Alias(
            f"{self._name}-secrets-key-alias",
            name=f"alias/{cluster_name}-secrets",
            target_key_id=secrets_key.key_id,
            opts=self._child,
        )
        key_grant = aws.iam.RolePolicy(
            f"{self._name}-cluster-secrets-key",
            role=role.id,
            policy=render(cluster_secrets_key_permissions(secrets_key.arn)),
            opts=self._child,
        )
        log_group = self._create_log_group(cluster_name)
        cidrs = list(args.get("public_access_cidrs", ()))
        return aws.eks.Cluster(
            f"{self._name}-cluster",
            name=cluster_name,
            version=args["kubernetes_version"],
            role_arn=role.arn,
            vpc_config=aws.eks.ClusterVpcConfigArgs(
                subnet_ids=args["subnet_ids"],
                endpoint_private_access=True,
                endpoint_public_access=bool(cidrs),
                public_access_cidrs=cidrs or None,
            ),
            access_config=aws.eks.ClusterAccessConfigArgs(
                authentication_mode="API",
                bootstrap_cluster_creator_admin_permissions=args.get(
                    "bootstrap_creator_admin", True
                ),
            ),
            encryption_config=aws.eks.ClusterEncryptionConfigArgs(
                provider=aws.eks.ClusterEncryptionConfigProviderArgs(key_arn=secrets_key.arn),
                resources=["secrets"],
            ),
            enabled_cluster_log_types=list(CONTROL_PLANE_LOG_TYPES),
            # Add-ons below are EKS-managed; self-managed copies would conflict with them.
            bootstrap_self_managed_addons=False,
            # Stay on standard support: extended support is billed silently at six times.
            upgrade_policy=aws.eks.ClusterUpgradePolicyArgs(support_type="STANDARD"),
            deletion_protection=args.get("deletion_protection", True),
            opts=pulumi.ResourceOptions(
                parent=self,
                # The log group must exist first, or EKS creates it on the first log line
                # (unencrypted, never expiring) and creating ours fails as a duplicate. The
                # role needs its policies while the cluster is created and until it is deleted.
                depends_on=[log_group, cluster_policy, key_grant],
            ),
        )

    def _create_log_group(self, cluster_name: str) -> aws.cloudwatch.LogGroup:
        """The control-plane log group under the name EKS writes to."""
        key_arn = self._args.get("log_kms_key_arn")
        if key_arn is None:
            key = aws.kms.Key(
                f"{self._name}-logs-key",
                description=f"Encrypts the control-plane logs of {cluster_name}",
                enable_key_rotation=True,
                deletion_window_in_days=30,
                policy=render(
                    key_policy(
                        self._account_id,
                        *logs_service_key_statements(self._region, self._account_id),
                    )
                ),
                opts=self._child,
            )
            key_arn = key.arn
        return aws.cloudwatch.LogGroup(
            f"{self._name}-control-plane-logs",
            name=f"/aws/eks/{cluster_name}/cluster",
            retention_in_days=self._args.get("log_retention_days", 365),
            kms_key_id=key_arn,
            opts=self._child,
        )

    def _create_oidc_provider(self, cluster: aws.eks.Cluster) -> None:
        """The IAM OIDC provider that IRSA roles trust."""
        self.oidc_issuer = cluster.identities.apply(_issuer)
        provider = aws.iam.OpenIdConnectProvider(
            f"{self._name}-oidc",
            url=self.oidc_issuer,
            client_id_lists=["sts.amazonaws.com"],
            opts=self._child,
        )
        self.oidc_provider_arn = provider.arn

    def _create_access_entries(
        self, cluster: aws.eks.Cluster
    ) -> list[aws.eks.AccessPolicyAssociation]:
        """An access entry with cluster-admin for each admin role."""
        grants: list[aws.eks.AccessPolicyAssociation] = []
        for role_arn in self._args.get("admin_role_arns", ()):
            role_name = role_arn.rsplit("/", 1)[-1]
            entry = aws.eks.AccessEntry(
                f"{self._name}-admin-{role_name}",
                cluster_name=cluster.name,
                principal_arn=role_arn,
                type="STANDARD",
                opts=self._child,
            )
            grants.append(
                aws.eks.AccessPolicyAssociation(
                    f"{self._name}-admin-{role_name}-policy",
                    cluster_name=cluster.name,
                    principal_arn=entry.principal_arn,
                    policy_arn=CLUSTER_ADMIN_POLICY_ARN,
                    access_scope=aws.eks.AccessPolicyAssociationAccessScopeArgs(type="cluster"),
                    opts=self._child,
                )
            )
        return grants

    # ---- nodes ----

    def _create_node_role(self) -> aws.iam.Role:
        """The node role with the three policies a managed node needs."""
        role = aws.iam.Role(
            f"{self._name}-node-role",
            description=f"Worker nodes of {self._args['cluster_name']}",
            assume_role_policy=service_trust_policy("ec2.amazonaws.com", None).render(),
            opts=self._child,
        )
        self._node_policies = [
            aws.iam.RolePolicyAttachment(
                f"{self._name}-node-{policy}",
                role=role.name,
                policy_arn=managed_policy_arn(policy),
                opts=self._child,
            )
            for policy in _NODE_POLICIES
        ]
        return role

    def _create_node_groups(
        self,
        cluster: aws.eks.Cluster,
        role: aws.iam.Role,
        early_addons: Sequence[aws.eks.Addon],
    ) -> list[aws.eks.NodeGroup]:
        """A launch template and a managed node group per spec."""
        groups: list[aws.eks.NodeGroup] = []
        for spec in self._args.get("node_groups", _DEFAULT_NODE_GROUPS):
            template = self._create_launch_template(cluster, spec)
            groups.append(
                aws.eks.NodeGroup(
                    f"{self._name}-{spec['name']}",
                    cluster_name=cluster.name,
                    # A prefix, not a fixed name: changing instance types replaces the group,
                    # and the replacement must be created before the old one is deleted.
                    node_group_name_prefix=f"{spec['name']}-",
                    node_role_arn=role.arn,
                    subnet_ids=self._args["subnet_ids"],
                    ami_type=spec.get("ami_type", "AL2023_x86_64_STANDARD"),
                    capacity_type=spec.get("capacity_type", "ON_DEMAND"),
                    instance_types=list(spec["instance_types"]),
                    scaling_config=aws.eks.NodeGroupScalingConfigArgs(
                        min_size=spec.get("min_size", 1),
                        desired_size=spec.get("desired_size", 1),
                        max_size=spec.get("max_size", 3),
                    ),
                    labels=dict(spec.get("labels", {})),
                    taints=[_taint(taint) for taint in spec.get("taints", ())],
                    launch_template=aws.eks.NodeGroupLaunchTemplateArgs(
                        id=template.id, version=template.latest_version.apply(str)
                    ),
                    update_config=aws.eks.NodeGroupUpdateConfigArgs(max_unavailable_percentage=33),
                    opts=pulumi.ResourceOptions(
                        parent=self,
                        # Nodes join only with their policies attached and the CNI and proxy
                        # running; deleting a policy first would strand draining nodes.
                        depends_on=[*self._node_policies, *early_addons],
                        # The cluster autoscaler owns the desired size after creation.
                        ignore_changes=["scalingConfig.desiredSize"],
                    ),
                )
            )
        return groups

    def _create_launch_template(
        self, cluster: aws.eks.Cluster, spec: NodeGroupSpec
    ) -> aws.ec2.LaunchTemplate:
        """IMDSv2 only, encrypted gp3 root volume, cluster and node security groups, tags."""
        launched_tags = {
            **self._args["resource_tags"],
            "Name": f"{self._args['cluster_name']}-{spec['name']}",
        }
        return aws.ec2.LaunchTemplate(
            f"{self._name}-{spec['name']}-lt",
            description=f"Nodes of group {spec['name']} in {self._args['cluster_name']}",
            update_default_version=True,
            metadata_options=aws.ec2.LaunchTemplateMetadataOptionsArgs(
                http_endpoint="enabled",
                http_tokens="required",
                http_put_response_hop_limit=self._args.get("node_metadata_hop_limit", 1),
            ),
            block_device_mappings=[
                aws.ec2.LaunchTemplateBlockDeviceMappingArgs(
                    device_name="/dev/xvda",
                    ebs=aws.ec2.LaunchTemplateBlockDeviceMappingEbsArgs(
                        volume_type="gp3",
                        volume_size=spec.get("disk_size_gib", 100),
                        encrypted="true",
                        kms_key_id=self._args.get("ebs_kms_key_arn"),
                        delete_on_termination="true",
                    ),
                )
            ],
            # Naming groups here replaces EKS's default attachment of the cluster group, so
            # both are listed: the cluster group for control-plane traffic, the node group
            # for EFS and endpoint rules that reference it.
            vpc_security_group_ids=[
                cluster.vpc_config.cluster_security_group_id,
                self._args["node_security_group_id"],
            ],
            tag_specifications=[
                aws.ec2.LaunchTemplateTagSpecificationArgs(
                    resource_type=resource_type, tags=launched_tags
                )
                for resource_type in _LAUNCHED_RESOURCE_TYPES
            ],
            opts=self._child,
        )

    # ---- add-ons ----

    def _create_addons(
        self,
        cluster: aws.eks.Cluster,
        names: Sequence[str],
        after: Sequence[pulumi.Resource],
    ) -> list[aws.eks.Addon]:
        """EKS-managed add-ons, at their pinned version or EKS's default for the cluster."""
        return [
            aws.eks.Addon(
                f"{self._name}-{addon}",
                cluster_name=cluster.name,
                addon_name=addon,
                addon_version=self._args.get("addon_versions", {}).get(addon),
                resolve_conflicts_on_create="OVERWRITE",
                resolve_conflicts_on_update="OVERWRITE",
                # coredns only turns healthy once nodes can schedule it.
                opts=pulumi.ResourceOptions(parent=self, depends_on=list(after)),
            )
            for addon in names
        ]

    def _create_efs_csi_driver(
        self, cluster: aws.eks.Cluster, node_groups: Sequence[aws.eks.NodeGroup]
    ) -> None:
        """The EFS CSI add-on and its role, bound by Pod Identity or IRSA."""
        irsa = self._args.get("efs_csi_identity", "pod-identity") == "irsa"
        trust: pulumi.Input[str]
        if irsa:
            trust = pulumi.Output.all(self.oidc_provider_arn, self.oidc_issuer).apply(
                lambda values: irsa_trust_policy(
                    values[0], values[1], "kube-system", EFS_CSI_SERVICE_ACCOUNTS
                )
            )
        else:
            account_id = cluster.arn.apply(lambda arn: arn.split(":")[4])
            trust = pod_identity_trust_policy(account_id, cluster.arn).render()
        role = aws.iam.Role(
            f"{self._name}-efs-csi-role",
            description="EFS CSI driver: manages access points and mounts with IAM",
            assume_role_policy=trust,
            opts=self._child,
        )
        attachment = aws.iam.RolePolicyAttachment(
            f"{self._name}-efs-csi-policy",
            role=role.name,
            policy_arn=EFS_CSI_POLICY_ARN,
            opts=self._child,
        )
        bindings: list[pulumi.Resource] = [attachment]
        if not irsa:
            bindings += [
                aws.eks.PodIdentityAssociation(
                    f"{self._name}-{account}",
                    cluster_name=cluster.name,
                    namespace="kube-system",
                    service_account=account,
                    role_arn=role.arn,
                    opts=self._child,
                )
                for account in EFS_CSI_SERVICE_ACCOUNTS
            ]
        self.efs_csi_driver = aws.eks.Addon(
            f"{self._name}-aws-efs-csi-driver",
            cluster_name=cluster.name,
            addon_name="aws-efs-csi-driver",
            addon_version=self._args.get("addon_versions", {}).get("aws-efs-csi-driver"),
            service_account_role_arn=role.arn if irsa else None,
            resolve_conflicts_on_create="OVERWRITE",
            resolve_conflicts_on_update="OVERWRITE",
            opts=pulumi.ResourceOptions(
                parent=self,
                # The driver's pods need nodes, and credentials from their first start.
                depends_on=[*node_groups, *bindings],
            ),
        )
        self.efs_csi_role_arn = role.arn

    # ---- access from this program ----

    def _create_kubeconfig(
        self, cluster: aws.eks.Cluster, admin_grants: Sequence[pulumi.Resource]
    ) -> None:
        """A secret kubeconfig using `aws eks get-token`, and a provider built from it."""
        self.kubeconfig = pulumi.Output.secret(
            pulumi.Output.all(
                cluster.name, cluster.endpoint, cluster.certificate_authority.data, cluster.arn
            ).apply(lambda values: _kubeconfig(values[0], values[1], values[2], values[3]))
        )
        self.k8s_provider = k8s.Provider(
            f"{self._name}-k8s",
            kubeconfig=self.kubeconfig,
            enable_server_side_apply=True,
            # Admin access entries must be granted before anything is applied through them.
            opts=pulumi.ResourceOptions(parent=self, depends_on=list(admin_grants)),
        )


_DEFAULT_NODE_GROUPS: Final[tuple[NodeGroupSpec, ...]] = (
    NodeGroupSpec(name="general", instance_types=["m6i.xlarge"]),
)


def _issuer(identities: Sequence[Any]) -> str:
    """The OIDC issuer URL from the cluster's identities."""
    for identity in identities:
        for oidc in identity.oidcs or ():
            if oidc.issuer:
                return str(oidc.issuer)
    raise ValueError("the EKS cluster reported no OIDC issuer")


def _kubeconfig(name: str, endpoint: str, ca_data: str | None, arn: str) -> str:
    """A kubeconfig for one cluster; credentials come from `aws eks get-token` at use."""
    region = arn.split(":")[3]
    document = {
        "apiVersion": "v1",
        "kind": "Config",
        "clusters": [
            {"name": name, "cluster": {"server": endpoint, "certificate-authority-data": ca_data}}
        ],
        "contexts": [{"name": name, "context": {"cluster": name, "user": name}}],
        "current-context": name,
        "users": [
            {
                "name": name,
                "user": {
                    "exec": {
                        "apiVersion": "client.authentication.k8s.io/v1beta1",
                        "command": "aws",
                        "args": [
                            "eks",
                            "get-token",
                            "--cluster-name",
                            name,
                            "--region",
                            region,
                            "--output",
                            "json",
                        ],
                        "interactiveMode": "Never",
                    }
                },
            }
        ],
        "preferences": {},
    }
    return json.dumps(document)


def _taint(taint: str) -> aws.eks.NodeGroupTaintArgs:
    """`key=value:Effect` as the EKS API spells it."""
    match = _TAINT.fullmatch(taint)
    if match is None:  # pragma: no cover - _validate rejects these first
        raise ValueError(f"taint {taint!r} must look like key=value:NoSchedule")
    key, value, effect = match.groups()
    return aws.eks.NodeGroupTaintArgs(key=key, value=value or None, effect=_TAINT_EFFECTS[effect])


def _validate(args: ClusterArgs) -> None:
    """Reject inputs EKS would refuse late (or accept insecurely), naming input and fix."""
    if not _CLUSTER_NAME.fullmatch(args["cluster_name"]):
        raise ValueError(
            f"ClusterArgs.cluster_name {args['cluster_name']!r} must be 1-100 letters, digits, "
            "hyphens or underscores starting with a letter or digit, e.g. gen-prod-eks"
        )
    version = args["kubernetes_version"]
    if version not in SUPPORTED_EKS_VERSIONS:
        raise ValueError(
            f"ClusterArgs.kubernetes_version {version!r} is unsupported; use one of "
            f"{', '.join(SUPPORTED_EKS_VERSIONS)}"
        )
    for cidr in args.get("public_access_cidrs", ()):
        try:
            network = ipaddress.ip_network(cidr)
        except ValueError as error:
            raise ValueError(
                f"ClusterArgs.public_access_cidrs entry {cidr!r} is not a CIDR; use one such "
                "as 203.0.113.0/24"
            ) from error
        if network.prefixlen == 0:
            raise ValueError(
                "ClusterArgs.public_access_cidrs must not contain 0.0.0.0/0 (it opens the API "
                "to the internet); list your office or VPN CIDRs, or none for a private API"
            )
    bad_roles = [arn for arn in args.get("admin_role_arns", ()) if not _ROLE_ARN.fullmatch(arn)]
    if bad_roles:
        raise ValueError(
            f"ClusterArgs.admin_role_arns {bad_roles} are not IAM role ARNs such as "
            "arn:aws:iam::123456789012:role/platform-admin"
        )
    role_names = [arn.rsplit("/", 1)[-1] for arn in args.get("admin_role_arns", ())]
    if len(set(role_names)) != len(role_names):
        raise ValueError(
            f"ClusterArgs.admin_role_arns name the roles {role_names} more than once; list each "
            "admin role once (access entries are keyed by role name)"
        )
    retention = args.get("log_retention_days", 365)
    if retention not in LOG_RETENTION_DAYS:
        raise ValueError(
            f"ClusterArgs.log_retention_days {retention} is not a CloudWatch Logs retention; "
            f"use one of {LOG_RETENTION_DAYS}"
        )
    if args.get("node_metadata_hop_limit", 1) not in (1, 2):
        raise ValueError("ClusterArgs.node_metadata_hop_limit must be 1 (default) or 2")
    identity = args.get("efs_csi_identity", "pod-identity")
    if identity not in ("pod-identity", "irsa"):
        raise ValueError(
            f"ClusterArgs.efs_csi_identity {identity!r} must be 'pod-identity' or 'irsa'"
        )
    _validate_tags(args["resource_tags"])
    _validate_addon_versions(args.get("addon_versions", {}))
    _validate_node_groups(args.get("node_groups", _DEFAULT_NODE_GROUPS))


def _validate_tags(tags: Mapping[str, str]) -> None:
    if not tags:
        raise ValueError(
            "ClusterArgs.resource_tags is empty; pass settings.resource_tags so nodes, their "
            "volumes and network interfaces carry the taxonomy tags"
        )
    bad = sorted(key for key in tags if key == "Name" or key.lower().startswith("aws:"))
    if bad:
        raise ValueError(
            f"ClusterArgs.resource_tags must not set {bad}: Name is set per node group and "
            "aws: keys are reserved"
        )
    if len(tags) >= 50:
        raise ValueError(f"ClusterArgs.resource_tags has {len(tags)} tags; EC2 allows 49 + Name")


def _validate_addon_versions(versions: Mapping[str, str]) -> None:
    unknown = sorted(set(versions) - set(_ADDONS))
    if unknown:
        raise ValueError(
            f"ClusterArgs.addon_versions names unknown add-ons {unknown}; known: {list(_ADDONS)}"
        )
    bad = {name: v for name, v in versions.items() if not _ADDON_VERSION.fullmatch(v)}
    if bad:
        raise ValueError(
            f"ClusterArgs.addon_versions {bad} must be EKS add-on versions such as "
            "v1.19.2-eksbuild.1 (aws eks describe-addon-versions lists them)"
        )


def _validate_node_groups(groups: Sequence[NodeGroupSpec]) -> None:
    if not groups:
        raise ValueError("ClusterArgs.node_groups is empty; give at least one node group")
    names = [group["name"] for group in groups]
    if len(set(names)) != len(names):
        raise ValueError(f"ClusterArgs.node_groups names {names} must be unique")
    for group in groups:
        where = f"ClusterArgs.node_groups[{group['name']!r}]"
        if not _GROUP_NAME.fullmatch(group["name"]):
            raise ValueError(f"{where}.name must be lowercase letters, digits and hyphens")
        if not group["instance_types"]:
            raise ValueError(f"{where}.instance_types is empty; list at least one type")
        sizes = (group.get("min_size", 1), group.get("desired_size", 1), group.get("max_size", 3))
        if not sizes[0] <= sizes[1] <= sizes[2] or sizes[2] < 1:
            raise ValueError(
                f"{where} sizes must satisfy min_size <= desired_size <= max_size and "
                f"max_size >= 1, got {sizes[0]} <= {sizes[1]} <= {sizes[2]}"
            )
        if group.get("capacity_type", "ON_DEMAND") not in ("ON_DEMAND", "SPOT"):
            raise ValueError(f"{where}.capacity_type must be ON_DEMAND or SPOT")
        if not 20 <= group.get("disk_size_gib", 100) <= 16384:
            raise ValueError(f"{where}.disk_size_gib must be 20-16384 GiB")
        for taint in group.get("taints", ()):
            if not _TAINT.fullmatch(taint):
                raise ValueError(
                    f"{where}.taints entry {taint!r} must look like key=value:NoSchedule "
                    "(effects: NoSchedule, PreferNoSchedule, NoExecute)"
                )

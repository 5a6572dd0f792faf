"""The EKS cluster component under the platform mocks."""

from __future__ import annotations

import json
from typing import Any

import pytest

from components.compute.cluster import (
    CONTROL_PLANE_LOG_TYPES,
    EFS_CSI_POLICY_ARN,
    Cluster,
    ClusterArgs,
    NodeGroupSpec,
)
from tests.support.harness import Registered, json_input, record

CLUSTER = "aws:eks/cluster:Cluster"
NODE_GROUP = "aws:eks/nodeGroup:NodeGroup"
ADDON = "aws:eks/addon:Addon"
ROLE = "aws:iam/role:Role"
ATTACHMENT = "aws:iam/rolePolicyAttachment:RolePolicyAttachment"
POD_IDENTITY = "aws:eks/podIdentityAssociation:PodIdentityAssociation"
ADMIN_ROLE = "arn:aws:iam::111122223333:role/platform-admin"
LAUNCH_TEMPLATE = "aws:ec2/launchTemplate:LaunchTemplate"
TAGS = {
    "project": "genomics-platform",
    "environment": "test",
    "owner": "genomics-platform-team",
    "cost-center": "research-genomics",
    "managed-by": "pulumi",
}
SECRET_SIG = "4dabf18193072939515e22adb298388d"
"""The key Pulumi's wire format uses to mark a secret value."""

GROUPS: list[NodeGroupSpec] = [
    {"name": "general", "instance_types": ["m6i.xlarge"]},
    {
        "name": "alignment",
        "instance_types": ["r6i.4xlarge", "r7i.4xlarge"],
        "capacity_type": "SPOT",
        "min_size": 0,
        "desired_size": 0,
        "max_size": 20,
        "labels": {"workload": "alignment"},
        "taints": ["workload=alignment:NoSchedule"],
    },
]


def _args(**overrides: Any) -> ClusterArgs:
    args: dict[str, Any] = {
        "cluster_name": "gen-test-eks",
        "kubernetes_version": "1.33",
        "subnet_ids": ["subnet-0a1", "subnet-0b2", "subnet-0c3"],
        "node_security_group_id": "sg-0node",
        "node_groups": GROUPS,
        "admin_role_arns": [ADMIN_ROLE],
        "resource_tags": TAGS,
        **overrides,
    }
    return args  # type: ignore[return-value]


def _record(args: ClusterArgs) -> Registered:
    def build() -> None:
        Cluster("eks", args)

    return record(build)


@pytest.fixture(scope="module")
def private() -> Registered:
    """The default shape: private API, Pod Identity for the EFS CSI driver, two node groups."""
    return _record(_args())


@pytest.fixture(scope="module")
def pinned() -> Registered:
    """Two add-ons pinned to versions; the others left to EKS's default."""
    return _record(
        _args(
            addon_versions={
                "vpc-cni": "v1.19.2-eksbuild.1",
                "aws-efs-csi-driver": "v2.1.4-eksbuild.1",
            }
        )
    )


@pytest.fixture(scope="module")
def public_irsa() -> Registered:
    """A public API limited to two CIDRs, and IRSA for the EFS CSI driver."""
    return _record(
        _args(
            public_access_cidrs=["203.0.113.0/24", "198.51.100.10/32"],
            efs_csi_identity="irsa",
        )
    )


def _cluster_inputs(registered: Registered) -> dict[str, Any]:
    return registered.one(CLUSTER).inputs


def test_kubernetes_version_comes_from_args(private: Registered) -> None:
    """The cluster runs the requested Kubernetes version on standard support."""
    inputs = _cluster_inputs(private)
    assert inputs["version"] == "1.33"
    assert inputs["upgradePolicy"] == {"supportType": "STANDARD"}


def test_all_five_control_plane_log_types_are_enabled(private: Registered) -> None:
    """api, audit, authenticator, controllerManager and scheduler logs are all shipped."""
    assert set(_cluster_inputs(private)["enabledClusterLogTypes"]) == {
        "api",
        "audit",
        "authenticator",
        "controllerManager",
        "scheduler",
    }
    assert len(CONTROL_PLANE_LOG_TYPES) == 5


def test_control_plane_log_group_exists_first_with_retention_and_kms(private: Registered) -> None:
    """The program creates /aws/eks/<name>/cluster (retention, KMS) before the cluster."""
    group = private.one("aws:cloudwatch/logGroup:LogGroup")
    assert group.inputs["name"] == "/aws/eks/gen-test-eks/cluster"
    assert group.inputs["retentionInDays"] == 365
    assert group.inputs["kmsKeyId"].startswith("arn:aws:kms:")
    assert group.urn in private.one(CLUSTER).dependencies


def test_api_endpoint_is_private_without_cidrs(private: Registered) -> None:
    """Without public CIDRs the endpoint is private only, with no public CIDR list."""
    vpc_config = _cluster_inputs(private)["vpcConfig"]
    assert vpc_config["endpointPrivateAccess"] is True
    assert vpc_config["endpointPublicAccess"] is False
    assert "publicAccessCidrs" not in vpc_config


def test_public_api_is_limited_to_the_given_cidrs(public_irsa: Registered) -> None:
    """With CIDRs the endpoint is public only to exactly those CIDRs, and still private."""
    vpc_config = _cluster_inputs(public_irsa)["vpcConfig"]
    assert vpc_config["endpointPublicAccess"] is True
    assert vpc_config["endpointPrivateAccess"] is True
    assert vpc_config["publicAccessCidrs"] == ["203.0.113.0/24", "198.51.100.10/32"]


def test_secrets_are_envelope_encrypted_with_a_rotating_key(private: Registered) -> None:
    """Kubernetes secrets use a customer-managed key with rotation on."""
    cluster = private.one(CLUSTER)
    key = private.one("aws:kms/key:Key", "eks-secrets-key")
    assert key.inputs["enableKeyRotation"] is True
    assert cluster.inputs["encryptionConfig"]["resources"] == ["secrets"]
    assert cluster.property_dependencies["encryptionConfig"] == (key.urn,)


def test_authentication_is_through_access_entries(private: Registered) -> None:
    """The access config uses the API authentication mode (no aws-auth ConfigMap)."""
    assert _cluster_inputs(private)["accessConfig"]["authenticationMode"] == "API"


def test_admin_roles_get_the_cluster_admin_policy(private: Registered) -> None:
    """Each admin role gets an access entry and AmazonEKSClusterAdminPolicy, cluster-wide."""
    entry = private.one("aws:eks/accessEntry:AccessEntry").inputs
    association = private.one("aws:eks/accessPolicyAssociation:AccessPolicyAssociation").inputs
    assert entry["principalArn"] == association["principalArn"] == ADMIN_ROLE
    assert association["policyArn"].endswith(":cluster-access-policy/AmazonEKSClusterAdminPolicy")
    assert association["accessScope"] == {"type": "cluster"}


def test_node_role_carries_the_three_node_policies(private: Registered) -> None:
    """Worker node, ECR pull and CNI managed policies are attached to the node role."""
    node_role = private.one(ROLE, "eks-node-role")
    attached = {
        r.inputs["policyArn"]
        for r in private.of_type(ATTACHMENT)
        if r.property_dependencies["role"] == (node_role.urn,)
    }
    assert attached == {
        "arn:aws:iam::aws:policy/AmazonEKSWorkerNodePolicy",
        "arn:aws:iam::aws:policy/AmazonEC2ContainerRegistryPullOnly",
        "arn:aws:iam::aws:policy/AmazonEKS_CNI_Policy",
    }


def test_alignment_group_is_spot_with_labels_and_taints(private: Registered) -> None:
    """The memory-optimised group runs on Spot, labelled and tainted for alignment pods."""
    group = private.one(NODE_GROUP, "eks-alignment").inputs
    assert group["capacityType"] == "SPOT"
    assert group["instanceTypes"] == ["r6i.4xlarge", "r7i.4xlarge"]
    assert group["labels"] == {"workload": "alignment"}
    assert group["taints"] == [{"key": "workload", "value": "alignment", "effect": "NO_SCHEDULE"}]
    assert group["scalingConfig"] == {"minSize": 0, "desiredSize": 0, "maxSize": 20}


def test_general_group_is_on_demand_and_untainted(private: Registered) -> None:
    """The general group keeps on-demand capacity and schedules any pod."""
    group = private.one(NODE_GROUP, "eks-general").inputs
    assert group["capacityType"] == "ON_DEMAND"
    assert not group.get("taints")


def test_launch_templates_require_imdsv2_and_encrypt_gp3_roots(private: Registered) -> None:
    """Every node launch template requires IMDSv2 tokens and an encrypted gp3 root volume."""
    templates = private.of_type("aws:ec2/launchTemplate:LaunchTemplate")
    assert len(templates) == 2
    for template in templates:
        metadata = template.inputs["metadataOptions"]
        assert metadata["httpTokens"] == "required"
        assert metadata["httpPutResponseHopLimit"] == 1
        (device,) = template.inputs["blockDeviceMappings"]
        assert device["ebs"]["volumeType"] == "gp3"
        assert device["ebs"]["encrypted"] == "true"


def test_nodes_carry_the_cluster_and_node_security_groups(private: Registered) -> None:
    """Launch templates list both groups, since naming any replaces EKS's default."""
    for template in private.of_type("aws:ec2/launchTemplate:LaunchTemplate"):
        groups = template.inputs["vpcSecurityGroupIds"]
        assert "sg-0node" in groups
        assert len(groups) == 2


@pytest.mark.parametrize("group", ["general", "alignment"])
def test_launched_instances_volumes_and_interfaces_carry_taxonomy_tags(
    private: Registered, group: str
) -> None:
    """Provider default tags stop at the template, so it tags what it launches itself."""
    template = private.one(LAUNCH_TEMPLATE, f"eks-{group}-lt")
    specs = {spec["resourceType"]: spec["tags"] for spec in template.inputs["tagSpecifications"]}
    assert set(specs) == {"instance", "volume", "network-interface"}
    for tags in specs.values():
        assert tags == {**TAGS, "Name": f"gen-test-eks-{group}"}


def test_node_groups_use_their_launch_templates(private: Registered) -> None:
    """Each node group launches from its own template."""
    template = private.one("aws:ec2/launchTemplate:LaunchTemplate", "eks-alignment-lt")
    group = private.one(NODE_GROUP, "eks-alignment")
    assert group.property_dependencies["launchTemplate"] == (template.urn,)


def test_the_five_addons_are_installed(private: Registered) -> None:
    """vpc-cni, coredns, kube-proxy, eks-pod-identity-agent and aws-efs-csi-driver exist."""
    assert {r.inputs["addonName"] for r in private.of_type(ADDON)} == {
        "vpc-cni",
        "coredns",
        "kube-proxy",
        "eks-pod-identity-agent",
        "aws-efs-csi-driver",
    }


def test_addons_are_unpinned_by_default(private: Registered) -> None:
    """Without addon_versions EKS picks each add-on's default version."""
    assert all("addonVersion" not in addon.inputs for addon in private.of_type(ADDON))


def test_addon_versions_pin_only_the_named_addons(pinned: Registered) -> None:
    """Pinned add-ons carry their version, including the EFS CSI driver; others stay unpinned."""
    versions = {a.inputs["addonName"]: a.inputs.get("addonVersion") for a in pinned.of_type(ADDON)}
    assert versions == {
        "vpc-cni": "v1.19.2-eksbuild.1",
        "aws-efs-csi-driver": "v2.1.4-eksbuild.1",
        "kube-proxy": None,
        "eks-pod-identity-agent": None,
        "coredns": None,
    }


def test_networking_addons_precede_nodes_and_coredns_follows_them(private: Registered) -> None:
    """Nodes wait for the CNI; coredns and the CSI driver wait for nodes to schedule on."""
    groups = private.of_type(NODE_GROUP)
    for early in ("eks-vpc-cni", "eks-kube-proxy", "eks-eks-pod-identity-agent"):
        assert all(private.one(ADDON, early).urn in group.dependencies for group in groups)
    for late in ("eks-coredns", "eks-aws-efs-csi-driver"):
        assert {group.urn for group in groups} <= set(private.one(ADDON, late).dependencies)


def test_efs_csi_role_carries_the_managed_driver_policy(private: Registered) -> None:
    """The EFS CSI role has AmazonEFSCSIDriverPolicy attached and trusts Pod Identity."""
    role = private.one(ROLE, "eks-efs-csi-role")
    attachment = private.one(ATTACHMENT, "eks-efs-csi-policy")
    assert attachment.inputs["policyArn"] == EFS_CSI_POLICY_ARN
    assert EFS_CSI_POLICY_ARN == "arn:aws:iam::aws:policy/service-role/AmazonEFSCSIDriverPolicy"
    assert attachment.property_dependencies["role"] == (role.urn,)
    (statement,) = json_input(role, "assumeRolePolicy")["Statement"]
    assert statement["Principal"] == {"Service": "pods.eks.amazonaws.com"}
    assert set(statement["Action"]) == {"sts:AssumeRole", "sts:TagSession"}


def test_efs_csi_service_accounts_are_bound_by_pod_identity(private: Registered) -> None:
    """kube-system controller and node service accounts are associated with the CSI role."""
    role = private.one(ROLE, "eks-efs-csi-role")
    associations = private.of_type(POD_IDENTITY)
    assert {(a.inputs["namespace"], a.inputs["serviceAccount"]) for a in associations} == {
        ("kube-system", "efs-csi-controller-sa"),
        ("kube-system", "efs-csi-node-sa"),
    }
    assert all(a.property_dependencies["roleArn"] == (role.urn,) for a in associations)
    assert "serviceAccountRoleArn" not in private.one(ADDON, "eks-aws-efs-csi-driver").inputs


def test_irsa_binds_the_csi_role_through_the_oidc_provider(public_irsa: Registered) -> None:
    """With IRSA the add-on names the role, which trusts only the CSI service accounts."""
    role = public_irsa.one(ROLE, "eks-efs-csi-role")
    addon = public_irsa.one(ADDON, "eks-aws-efs-csi-driver")
    assert addon.property_dependencies["serviceAccountRoleArn"] == (role.urn,)
    assert public_irsa.of_type(POD_IDENTITY) == []
    (statement,) = json_input(role, "assumeRolePolicy")["Statement"]
    assert statement["Action"] == "sts:AssumeRoleWithWebIdentity"
    assert statement["Principal"]["Federated"].startswith(
        "arn:aws:iam::111122223333:oidc-provider/"
    )
    conditions = statement["Condition"]["StringEquals"]
    (sub,) = [value for key, value in conditions.items() if key.endswith(":sub")]
    assert sub == [
        "system:serviceaccount:kube-system:efs-csi-controller-sa",
        "system:serviceaccount:kube-system:efs-csi-node-sa",
    ]


def test_oidc_provider_trusts_the_cluster_issuer_for_sts(private: Registered) -> None:
    """The IAM OIDC provider names the cluster's issuer with the STS audience."""
    provider = private.one("aws:iam/openIdConnectProvider:OpenIdConnectProvider").inputs
    assert provider["url"].startswith("https://oidc.eks.ap-south-1.amazonaws.com/id/")
    assert provider["clientIdLists"] == ["sts.amazonaws.com"]


def test_kubeconfig_is_secret_and_uses_aws_eks_get_token(private: Registered) -> None:
    """The Kubernetes provider receives the kubeconfig as a secret; it execs get-token."""
    provider = private.one("pulumi:providers:kubernetes")
    kubeconfig = provider.inputs["kubeconfig"]
    assert SECRET_SIG in kubeconfig
    document = json.loads(kubeconfig["value"])
    assert document["clusters"][0]["cluster"]["server"].startswith("https://")
    exec_ = document["users"][0]["user"]["exec"]
    assert exec_["command"] == "aws"
    assert exec_["args"][:4] == ["eks", "get-token", "--cluster-name", "gen-test-eks"]


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"kubernetes_version": "1.27"}, "kubernetes_version '1.27' is unsupported"),
        ({"public_access_cidrs": ["0.0.0.0/0"]}, "must not contain 0.0.0.0/0"),
        ({"public_access_cidrs": ["office"]}, "'office' is not a CIDR"),
        ({"admin_role_arns": ["platform-admin"]}, "are not IAM role ARNs"),
        (
            {"node_groups": [{"name": "g", "instance_types": ["m6i.large"]}]},
            "name must be lowercase",
        ),
        (
            {"node_groups": [{**GROUPS[1], "taints": ["workload=alignment"]}]},
            "must look like key=value:NoSchedule",
        ),
        (
            {"node_groups": [{**GROUPS[0], "min_size": 3, "max_size": 2}]},
            "min_size <= desired_size <= max_size",
        ),
        ({"node_groups": [GROUPS[0], GROUPS[0]]}, "must be unique"),
        ({"log_retention_days": 45}, "log_retention_days 45 is not a CloudWatch"),
        ({"resource_tags": {}}, "resource_tags is empty"),
        ({"resource_tags": {**TAGS, "Name": "x"}}, r"resource_tags must not set \['Name'\]"),
        ({"resource_tags": {"aws:owner": "x"}}, "aws: keys are reserved"),
        ({"addon_versions": {"cni": "v1.19.2-eksbuild.1"}}, r"unknown add-ons \['cni'\]"),
        ({"addon_versions": {"coredns": "latest"}}, "must be EKS add-on versions"),
    ],
    ids=[
        "version",
        "open-cidr",
        "not-cidr",
        "admin-arn",
        "group-name",
        "taint",
        "sizes",
        "duplicate-group",
        "retention",
        "no-tags",
        "name-tag",
        "aws-tag",
        "unknown-addon",
        "addon-version",
    ],
)
def test_invalid_args_fail_with_a_message_naming_the_input(
    overrides: dict[str, Any], message: str
) -> None:
    """Bad inputs fail at construction, naming the input and what to use instead."""
    with pytest.raises(ValueError, match=message):
        _record(_args(**overrides))

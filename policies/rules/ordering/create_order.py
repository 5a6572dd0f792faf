"""Create-order rules: what AWS needs to exist before it accepts (or can finish) a resource.

Pulumi creates a resource as soon as everything it depends on exists, in parallel otherwise. A
dependency that is only implied (a precomputed ARN, a name typed twice, a cluster the add-on
shares with its nodes) is no dependency at all, and the first `pulumi up` of a new stack races.
Each row of `CONSTRAINTS` is one ordering AWS documents, with the page that says so; the check
joins the two sides by reference and asks whether the engine's dependency graph (explicit
`depends_on` and property dependencies, transitively) puts the prerequisite first.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import Any, Final

from pulumi_policy.proxy import UnknownValueError

from policies.framework import EnforcementLevel, Severity, StackResource, StackRule, StackView
from policies.props import as_text, dig
from policies.rules.wiring.references import (
    CONFIG_PROPERTIES,
    Inventory,
    Unknowns,
    arn_references,
    own_accounts,
)

__all__ = ["CONSTRAINTS", "RULES", "Constraint"]

_FILE_SYSTEM: Final = "aws:efs/fileSystem:FileSystem"
_ACCESS_POINT: Final = "aws:efs/accessPoint:AccessPoint"
_MOUNT_TARGET: Final = "aws:efs/mountTarget:MountTarget"
_FUNCTION: Final = "aws:lambda/function:Function"
_EFS_LOCATION: Final = "aws:datasync/efsLocation:EfsLocation"
_ADDON: Final = "aws:eks/addon:Addon"
_NODE_GROUP: Final = "aws:eks/nodeGroup:NodeGroup"
_CLUSTER: Final = "aws:eks/cluster:Cluster"
_STORAGE_CLASS: Final = "kubernetes:storage.k8s.io/v1:StorageClass"
_PVC: Final = "kubernetes:core/v1:PersistentVolumeClaim"
_INTEGRATION_RESPONSE: Final = "aws:apigateway/integrationResponse:IntegrationResponse"
_METHOD_RESPONSE: Final = "aws:apigateway/methodResponse:MethodResponse"

CSI_ADDONS: Final = {
    "efs.csi.aws.com": "aws-efs-csi-driver",
    "ebs.csi.aws.com": "aws-ebs-csi-driver",
    "fsx.csi.aws.com": "aws-fsx-csi-driver",
    "s3.csi.aws.com": "aws-mountpoint-s3-csi-driver",
}
"""CSI provisioner names and the EKS add-on that installs each driver."""

ADDONS_WITH_PODS: Final = (
    "coredns",
    "aws-efs-csi-driver",
    "aws-ebs-csi-driver",
    "aws-fsx-csi-driver",
    "amazon-cloudwatch-observability",
    "snapshot-controller",
    "metrics-server",
    "adot",
)
"""EKS add-ons that run Deployments, which stay Pending (and the add-on short of ACTIVE) until
a node exists. vpc-cni, kube-proxy and eks-pod-identity-agent are DaemonSets the nodes
themselves need, so they are not listed."""

Finding = tuple[StackResource, str]
"""A dependent resource and what it should wait for."""


@dataclass(frozen=True, slots=True)
class Constraint:
    """One ordering AWS documents: which resources must wait for which, and where AWS says so."""

    name: str
    description: str
    reference: str
    """The AWS page (title and URL) and the sentence the rule relies on."""
    fix: str
    find: Callable[[StackView, Unknowns], Iterable[Finding]]
    config_properties: dict[str, dict[str, Any]] | None = None


# ---- joins ----


def _deps_of(stack: StackView, resource: StackResource, prop: str) -> list[StackResource]:
    found = (stack.by_urn(urn) for urn in resource.property_dependencies.get(prop, ()))
    return [r for r in found if r is not None]


def _file_systems(stack: StackView, resource: StackResource, prop: str) -> list[StackResource]:
    """The EFS file systems an input names, directly or through an access point."""
    systems: list[StackResource] = []
    for dep in _deps_of(stack, resource, prop):
        if dep.type == _FILE_SYSTEM:
            systems.append(dep)
        elif dep.type == _ACCESS_POINT:
            systems.extend(
                d for d in _deps_of(stack, dep, "fileSystemId") if d.type == _FILE_SYSTEM
            )
    return systems


def _mount_targets(stack: StackView, file_system: StackResource) -> list[StackResource]:
    return stack.referencing(file_system, _MOUNT_TARGET, prop="fileSystemId")


def _missing_waits(
    stack: StackView, dependent: StackResource, prerequisites: Iterable[StackResource]
) -> list[str]:
    return sorted(p.name for p in prerequisites if not stack.waits_for(dependent, p))


def _after_mount_targets(type_token: str, prop: str, what: str) -> Callable[..., Iterator[Finding]]:
    def find(stack: StackView, unknowns: Unknowns) -> Iterator[Finding]:
        del unknowns
        for dependent in stack.of_type(type_token):
            if type_token == _FUNCTION and not dependent.property_dependencies.get(prop):
                continue
            for file_system in _file_systems(stack, dependent, prop):
                missing = _missing_waits(stack, dependent, _mount_targets(stack, file_system))
                if missing:
                    yield (
                        dependent,
                        (
                            f"{what} {dependent.name} mounts {file_system.name} but does not "
                            f"wait for its mount targets {', '.join(missing)}"
                        ),
                    )

    return find


def _clusters_of(stack: StackView, resource: StackResource, prop: str) -> set[str]:
    """URNs of the EKS clusters an input (or a provider's kubeconfig) is derived from."""
    return {d.urn for d in _deps_of(stack, resource, prop) if d.type == _CLUSTER}


def _addons_named(stack: StackView, name: str) -> list[StackResource]:
    return [a for a in stack.of_type(_ADDON) if as_text(a.props.get("addonName")) == name]


def _addons_with_pods(stack: StackView, unknowns: Unknowns) -> Iterator[Finding]:
    needing = {str(name) for name in stack.config["addonsWithPods"]}
    for addon in stack.of_type(_ADDON):
        try:
            name = as_text(addon.props.get("addonName"))
        except UnknownValueError:
            unknowns.add(f"{addon.name}.addonName")
            continue
        if name not in needing:
            continue
        clusters = _clusters_of(stack, addon, "clusterName")
        groups = [
            g
            for g in stack.of_type(_NODE_GROUP)
            if _clusters_of(stack, g, "clusterName") & clusters
        ]
        missing = _missing_waits(stack, addon, groups)
        if missing:
            yield (
                addon,
                (
                    f"add-on {addon.name} ({name}) runs pods but does not wait for the node groups "
                    f"{', '.join(missing)} of its cluster"
                ),
            )


def _provider_clusters(stack: StackView, resource: StackResource) -> set[str]:
    provider = stack.by_urn(resource.provider_urn) if resource.provider_urn else None
    return _clusters_of(stack, provider, "kubeconfig") if provider is not None else set()


def _storage_after_csi(stack: StackView, unknowns: Unknowns) -> Iterator[Finding]:
    classes: dict[str, tuple[StackResource, str]] = {}
    for storage_class in stack.of_type(_STORAGE_CLASS):
        try:
            provisioner = as_text(storage_class.props.get("provisioner"))
            class_name = as_text(dig(storage_class.props, "metadata", "name"))
        except UnknownValueError:
            unknowns.add(f"{storage_class.name}.provisioner")
            continue
        if provisioner in CSI_ADDONS:
            classes[class_name or storage_class.name] = (storage_class, CSI_ADDONS[provisioner])
    objects: list[tuple[StackResource, str]] = [(sc, addon) for sc, addon in classes.values()]
    for claim in stack.of_type(_PVC):
        try:
            wanted = as_text(dig(claim.props, "spec", "storageClassName"))
        except UnknownValueError:
            unknowns.add(f"{claim.name}.spec.storageClassName")
            continue
        if wanted in classes:
            objects.append((claim, classes[wanted][1]))
    for obj, addon_name in objects:
        addons = _addons_named(stack, addon_name)
        clusters = _provider_clusters(stack, obj)
        same_cluster = [a for a in addons if _clusters_of(stack, a, "clusterName") & clusters]
        candidates = same_cluster or (addons if len(addons) == 1 else [])
        missing = _missing_waits(stack, obj, candidates)
        if missing:
            kind = "StorageClass" if obj.type == _STORAGE_CLASS else "PersistentVolumeClaim"
            yield (
                obj,
                (
                    f"{kind} {obj.name} needs the {addon_name} driver but does not wait for the "
                    f"add-on {', '.join(missing)}"
                ),
            )


def _response_key(resource: StackResource) -> tuple[str, str, str, str]:
    props = resource.props
    return (
        as_text(props.get("restApi")),
        as_text(props.get("resourceId")),
        as_text(props.get("httpMethod")),
        as_text(props.get("statusCode")),
    )


def _integration_after_method_response(stack: StackView, unknowns: Unknowns) -> Iterator[Finding]:
    methods: dict[tuple[str, str, str, str], StackResource] = {}
    for declared in stack.of_type(_METHOD_RESPONSE):
        try:
            methods[_response_key(declared)] = declared
        except UnknownValueError:
            unknowns.add(declared.name)
    for integration in stack.of_type(_INTEGRATION_RESPONSE):
        try:
            key = _response_key(integration)
        except UnknownValueError:
            unknowns.add(integration.name)
            continue
        method_response = methods.get(key)
        if method_response is None:
            yield (
                integration,
                (
                    f"integration response {integration.name} maps status {key[3]} of {key[2]} but "
                    "the stack declares no method response with that status"
                ),
            )
        elif not stack.waits_for(integration, method_response):
            yield (
                integration,
                (
                    f"integration response {integration.name} does not wait for the method "
                    f"response {method_response.name} of status {key[3]}"
                ),
            )


_PRINCIPAL_CHECKED_PROPS: Final = frozenset({"policy", "assumeRolePolicy", "policyDocument"})


def _policy_after_principal(stack: StackView, unknowns: Unknowns) -> Iterator[Finding]:
    inventory = Inventory.of(stack)
    accounts = own_accounts(stack, stack.config["accountIds"])
    reported: set[tuple[str, str]] = set()
    for reference in arn_references(stack, accounts, unknowns, principals=True):
        if reference.element != "Principal" or reference.prop not in _PRINCIPAL_CHECKED_PROPS:
            continue
        for principal in inventory.resolve(reference) or []:
            key = (reference.owner.urn, principal.urn)
            if principal.urn == reference.owner.urn or key in reported:
                continue
            reported.add(key)
            if not stack.waits_for(reference.owner, principal):
                yield (
                    reference.owner,
                    (
                        f"{reference.where} names {reference.kind.label} {reference.arn.text} as "
                        f"Principal but does not wait for {principal.name}, which creates it"
                    ),
                )


CONSTRAINTS: Final = (
    Constraint(
        name="lambda-efs-after-mount-targets",
        description=(
            "A Lambda function that mounts EFS is created after every mount target of that "
            "file system."
        ),
        reference=(
            'AWS Lambda Developer Guide, "Configuring file system access for Lambda functions" '
            "(https://docs.aws.amazon.com/lambda/latest/dg/configuration-filesystem.html): "
            '"Create a file system in Amazon EFS with a mount target in every Availability Zone '
            'that your function connects to" and "Lambda uses your permissions to verify mount '
            'targets"; CreateFunction otherwise fails with "does not have mount targets created '
            'in all availability zones the function will execute in".'
        ),
        fix="Add the file system's mount targets to the function's depends_on.",
        find=_after_mount_targets(_FUNCTION, "fileSystemConfig", "function"),
    ),
    Constraint(
        name="datasync-efs-location-after-mount-targets",
        description="A DataSync EFS location is created after the file system's mount targets.",
        reference=(
            'AWS DataSync API Reference, "Ec2Config" '
            "(https://docs.aws.amazon.com/datasync/latest/userguide/API_Ec2Config.html): the "
            'subnet "must be located ... In the same Availability Zone as at least one mount '
            'target for the Amazon EFS file system"; DataSync connects to "one of your Amazon '
            "EFS file system's mount targets\" when the location is created."
        ),
        fix="Add the file system's mount targets to the location's depends_on.",
        find=_after_mount_targets(_EFS_LOCATION, "efsFileSystemArn", "DataSync location"),
    ),
    Constraint(
        name="iam-policy-after-named-principal",
        description=(
            "A resource or trust policy that names a role or user of the stack as Principal is "
            "created after that role or user."
        ),
        reference=(
            'IAM User Guide, "AWS JSON policy elements: Principal" '
            "(https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_"
            'principal.html): "When you save the policy, AWS transforms the ARN to a unique '
            "principal ID\"; a principal that does not exist yet is rejected, e.g. S3's "
            '"Invalid principal in policy" (https://repost.aws/knowledge-center/'
            "s3-invalid-principal-in-policy-error)."
        ),
        fix=(
            "Build the principal ARN from the role's `arn` output (which adds the dependency) "
            "or add the role to the policy resource's depends_on."
        ),
        find=_policy_after_principal,
        config_properties={k: dict(v) for k, v in CONFIG_PROPERTIES.items()},
    ),
    Constraint(
        name="kubernetes-storage-after-csi-addon",
        description=(
            "StorageClasses of an AWS CSI provisioner, and the claims that use them, are "
            "created after the EKS add-on that installs the driver."
        ),
        reference=(
            'Amazon EKS User Guide, "Use elastic file system storage with Amazon EFS" '
            "(https://docs.aws.amazon.com/eks/latest/userguide/efs-csi.html) deploys the driver "
            "before any StorageClass or claim; dynamic provisioning of a claim is done by the "
            "driver's controller, so a claim created first stays Pending and the Kubernetes "
            "provider waits on it."
        ),
        fix="Add the CSI driver's aws.eks.Addon to the StorageClass's and claim's depends_on.",
        find=_storage_after_csi,
    ),
    Constraint(
        name="eks-addon-after-node-groups",
        description=(
            "An EKS add-on that runs Deployments is created after the node groups of its cluster."
        ),
        reference=(
            "eksctl-io/eksctl#6954 (https://github.com/eksctl-io/eksctl/issues/6954): the "
            "\"aws-efs-csi-driver addon is degraded since there are no nodes and it can't run "
            'the minimum number of replicas"; the EKS add-on stays short of ACTIVE and '
            "CreateAddon's waiter times out (terraform-aws-eks 18.4.1 added the same "
            "dependency)."
        ),
        fix="Add the cluster's node groups to the add-on's depends_on.",
        find=_addons_with_pods,
        config_properties={
            "addonsWithPods": {
                "type": "array",
                "items": {"type": "string"},
                "default": list(ADDONS_WITH_PODS),
                "description": "Add-on names whose pods need a node to become ACTIVE.",
            }
        },
    ),
    Constraint(
        name="apigateway-integration-response-after-method-response",
        description=(
            "An API Gateway integration response is created after the method response of the "
            "same status code."
        ),
        reference=(
            'AWS CLI Command Reference, "put-integration-response" '
            "(https://docs.aws.amazon.com/cli/latest/reference/apigateway/"
            'put-integration-response.html): --status-code "Specifies the status code that is '
            'used to map the integration response to an existing MethodResponse"; created '
            'first, AWS answers "No method response exists for method." (go-to-k/cdkd#373, '
            "https://github.com/go-to-k/cdkd/pull/373)."
        ),
        fix=(
            "Add the MethodResponse of the same status code to the IntegrationResponse's "
            "depends_on."
        ),
        find=_integration_after_method_response,
    ),
)
"""The ordering constraints the pack enforces, one stack rule each."""


def _rule(constraint: Constraint) -> StackRule:
    def check(stack: StackView) -> Iterator[tuple[str, str | None]]:
        unknowns = Unknowns()
        for dependent, message in constraint.find(stack, unknowns):
            yield message, dependent.urn
        unknowns.raise_if_any()

    return StackRule(
        name=constraint.name,
        description=constraint.description,
        severity=Severity.HIGH,
        enforcement=EnforcementLevel.MANDATORY,
        remediation=f"{constraint.fix} Why: {constraint.reference}",
        concern="create-order",
        check=check,
        config_properties=constraint.config_properties or {},
    )


RULES = tuple(_rule(constraint) for constraint in CONSTRAINTS)

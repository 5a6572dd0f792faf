"""Create-order rules through the real pack: each ordering AWS documents, kept and broken.

A dependency counts whether it comes from a property reference or from `depends_on`, directly
or through another resource, because the engine orders by the whole graph.
"""

from __future__ import annotations

import json
from collections.abc import Callable

import pytest

from tests.policies.rule_cases import hits, stack_variant, stack_variant_tests
from tests.support.pack import UNKNOWN, FakeResource, PackClient

pytestmark = pytest.mark.policy

FILE_SYSTEM = "aws:efs/fileSystem:FileSystem"
MOUNT_TARGET = "aws:efs/mountTarget:MountTarget"
ACCESS_POINT = "aws:efs/accessPoint:AccessPoint"


def _efs(*consumers: FakeResource) -> list[FakeResource]:
    return [
        FakeResource(FILE_SYSTEM, "fs", {"encrypted": True}),
        FakeResource(MOUNT_TARGET, "mt-a", {"fileSystemId": "fs-1"}, {"fileSystemId": ["fs"]}),
        FakeResource(MOUNT_TARGET, "mt-b", {"fileSystemId": "fs-1"}, {"fileSystemId": ["fs"]}),
        FakeResource(ACCESS_POINT, "ap", {"fileSystemId": "fs-1"}, {"fileSystemId": ["fs"]}),
        *consumers,
    ]


def _function(after: tuple[str, ...] = ()) -> FakeResource:
    return FakeResource(
        "aws:lambda/function:Function",
        "cleanup",
        {"fileSystemConfig": {"arn": "arn:aws:elasticfilesystem:::access-point/fsap-1"}},
        {"fileSystemConfig": ["ap"]},
        after=after,
    )


def _location(after: tuple[str, ...] = ()) -> FakeResource:
    return FakeResource(
        "aws:datasync/efsLocation:EfsLocation",
        "efs-location",
        {"efsFileSystemArn": "arn:aws:elasticfilesystem:::file-system/fs-1"},
        {"efsFileSystemArn": ["fs"]},
        after=after,
    )


LAMBDA_RULE = "lambda-efs-after-mount-targets"
DATASYNC_RULE = "datasync-efs-location-after-mount-targets"


@pytest.mark.parametrize(
    ("rule", "make", "name"),
    [
        pytest.param(LAMBDA_RULE, _function, "cleanup", id="lambda"),
        pytest.param(DATASYNC_RULE, _location, "efs-location", id="datasync"),
    ],
)
def test_efs_consumer_must_wait_for_every_mount_target(
    pack: PackClient, rule: str, make: Callable[..., FakeResource], name: str
) -> None:
    """Waiting for both mount targets passes; one missing is named; none is reported."""
    assert hits(pack.analyze_stack(_efs(make(after=("mt-a", "mt-b")))), rule) == []
    one = hits(pack.analyze_stack(_efs(make(after=("mt-a",)))), rule)
    assert [(e, n) for e, n, _ in one] == [("mandatory", name)]
    assert one[0][2].endswith("does not wait for its mount targets mt-b")
    none = hits(pack.analyze_stack(_efs(make())), rule)
    assert none[0][2].endswith("mount targets mt-a, mt-b")


def test_waiting_through_another_resource_counts(pack: PackClient) -> None:
    """A function that waits for a resource that waits for the mount targets is ordered."""
    gate = FakeResource("aws:cloudwatch/logGroup:LogGroup", "gate", {}, after=("mt-a", "mt-b"))
    assert hits(pack.analyze_stack([*_efs(_function(after=("gate",))), gate]), LAMBDA_RULE) == []


def test_function_without_file_system_is_ignored(pack: PackClient) -> None:
    """A Lambda that mounts nothing has no mount targets to wait for."""
    plain = FakeResource("aws:lambda/function:Function", "plain", {"runtime": "python3.12"})
    assert hits(pack.analyze_stack(_efs(plain)), LAMBDA_RULE) == []


# ---- EKS add-ons and Kubernetes storage ----

CLUSTER = "aws:eks/cluster:Cluster"
ADDON = "aws:eks/addon:Addon"
NODE_GROUP = "aws:eks/nodeGroup:NodeGroup"
ADDON_RULE = "eks-addon-after-node-groups"
CSI_RULE = "kubernetes-storage-after-csi-addon"


def _cluster() -> list[FakeResource]:
    by_cluster = {"clusterName": ["eks"]}
    return [
        FakeResource(CLUSTER, "eks", {"name": "lab"}),
        FakeResource(NODE_GROUP, "general", {"clusterName": "lab"}, by_cluster),
        FakeResource(NODE_GROUP, "gpu", {"clusterName": "lab"}, by_cluster),
    ]


def _addon(name: str, after: tuple[str, ...] = (), logical: str = "") -> FakeResource:
    return FakeResource(
        ADDON,
        logical or name,
        {"clusterName": "lab", "addonName": name},
        {"clusterName": ["eks"]},
        after=after,
    )


def test_addon_with_pods_waits_for_every_node_group(pack: PackClient) -> None:
    """Container Insights after both node groups passes; before them it is reported."""
    insights = "amazon-cloudwatch-observability"
    ok = [*_cluster(), _addon(insights, after=("general", "gpu"))]
    assert hits(pack.analyze_stack(ok), ADDON_RULE) == []
    found = hits(
        pack.analyze_stack([*_cluster(), _addon(insights, after=("general",))]), ADDON_RULE
    )
    assert [(e, n) for e, n, _ in found] == [("mandatory", insights)]
    assert "does not wait for the node groups gpu of its cluster" in found[0][2]


def test_daemonset_addons_the_nodes_need_are_exempt(pack: PackClient) -> None:
    """vpc-cni and kube-proxy must not wait for nodes (the nodes wait for them)."""
    fakes = [*_cluster(), _addon("vpc-cni"), _addon("kube-proxy")]
    assert hits(pack.analyze_stack(fakes), ADDON_RULE) == []


def test_addons_with_pods_are_configurable(pack: PackClient) -> None:
    """A team can add an add-on it knows needs nodes."""
    fakes = [*_cluster(), _addon("aws-guardduty-agent")]
    assert hits(pack.analyze_stack(fakes), ADDON_RULE) == []
    pack.configure({ADDON_RULE: {"addonsWithPods": ["aws-guardduty-agent"]}})
    assert len(hits(pack.analyze_stack(fakes), ADDON_RULE)) == 1


def test_unknown_addon_name_is_never_mandatory(pack: PackClient) -> None:
    """An add-on whose name is unknown during preview makes the rule wait."""
    found = hits(pack.analyze_stack([*_cluster(), _addon(UNKNOWN, logical="x")]), ADDON_RULE)
    assert [e for e, _, _ in found] == ["advisory"]
    assert "cannot be checked until update: x.addonName" in found[0][2]


def _kubernetes(storage_after: tuple[str, ...], claim_after: tuple[str, ...]) -> list[FakeResource]:
    return [
        *_cluster(),
        _addon("aws-efs-csi-driver", after=("general", "gpu")),
        FakeResource(
            "pulumi:providers:kubernetes",
            "k8s",
            {"kubeconfig": "{}"},
            {"kubeconfig": ["eks"]},
        ),
        FakeResource(
            "kubernetes:storage.k8s.io/v1:StorageClass",
            "efs-projects",
            {"metadata": {"name": "efs-projects"}, "provisioner": "efs.csi.aws.com"},
            provider="k8s",
            after=storage_after,
        ),
        FakeResource(
            "kubernetes:core/v1:PersistentVolumeClaim",
            "workspace",
            {"spec": {"storageClassName": "efs-projects"}},
            provider="k8s",
            after=claim_after,
        ),
    ]


def test_storage_objects_wait_for_the_csi_driver(pack: PackClient) -> None:
    """A StorageClass after the add-on, and a claim after the class, are ordered."""
    fakes = _kubernetes(("aws-efs-csi-driver",), ("efs-projects",))
    assert hits(pack.analyze_stack(fakes), CSI_RULE) == []


def test_storage_objects_racing_the_csi_driver_are_reported(pack: PackClient) -> None:
    """Neither the class nor the claim waiting for the add-on: both reported."""
    found = hits(pack.analyze_stack(_kubernetes((), ())), CSI_RULE)
    assert sorted(n for _, n, _ in found) == ["efs-projects", "workspace"]
    assert all("aws-efs-csi-driver driver but does not wait" in m for _, _, m in found)


def test_storage_of_other_provisioners_is_ignored(pack: PackClient) -> None:
    """A StorageClass of a driver the table does not know is none of the rule's business."""
    fakes = _kubernetes((), ())
    storage_class = fakes[-2]
    fakes[-2] = FakeResource(
        storage_class.type,
        storage_class.name,
        {"metadata": {"name": "efs-projects"}, "provisioner": "example.com/nfs"},
        provider="k8s",
    )
    assert hits(pack.analyze_stack(fakes), CSI_RULE) == []


# ---- API Gateway ----

METHOD_RESPONSE = "aws:apigateway/methodResponse:MethodResponse"
INTEGRATION_RESPONSE = "aws:apigateway/integrationResponse:IntegrationResponse"
APIGW_RULE = "apigateway-integration-response-after-method-response"
_RESPONSE = {"restApi": "api-1", "resourceId": "res-1", "httpMethod": "GET"}


def _responses(status: str = "200", after: tuple[str, ...] = ("get-200",)) -> list[FakeResource]:
    return [
        FakeResource(METHOD_RESPONSE, "get-200", {**_RESPONSE, "statusCode": "200"}),
        FakeResource(
            INTEGRATION_RESPONSE, "get-mapping", {**_RESPONSE, "statusCode": status}, after=after
        ),
    ]


def test_integration_response_after_its_method_response_passes(pack: PackClient) -> None:
    """Waiting for the method response of the same status is the documented order."""
    assert hits(pack.analyze_stack(_responses(after=("get-200",))), APIGW_RULE) == []


def test_integration_response_racing_its_method_response_is_reported(pack: PackClient) -> None:
    """No dependency on the method response of its status: reported."""
    found = hits(pack.analyze_stack(_responses(after=())), APIGW_RULE)
    assert [(e, n) for e, n, _ in found] == [("mandatory", "get-mapping")]
    assert "does not wait for the method response get-200 of status 200" in found[0][2]


def test_integration_response_without_method_response_is_reported(pack: PackClient) -> None:
    """A status no method response declares is rejected by AWS outright."""
    found = hits(pack.analyze_stack(_responses(status="404", after=())), APIGW_RULE)
    assert "the stack declares no method response with that status" in found[0][2]


def test_unknown_rest_api_is_never_mandatory(pack: PackClient) -> None:
    """A REST API id known only after update makes the rule wait."""
    fakes = _responses(after=())
    fakes[1] = FakeResource(INTEGRATION_RESPONSE, "get-mapping", {**_RESPONSE, "restApi": UNKNOWN})
    found = hits(pack.analyze_stack(fakes), APIGW_RULE)
    assert [e for e, _, _ in found] == ["advisory"]


# ---- policies naming principals ----

PRINCIPAL_RULE = "iam-policy-after-named-principal"
ROLE_ARN = "arn:aws:iam::111122223333:role/lab-datasync-efs"


def _efs_policy(after: tuple[str, ...] = (), principal: str = ROLE_ARN) -> list[FakeResource]:
    statement = {
        "Sid": "AllowDataSync",
        "Effect": "Allow",
        "Principal": {"AWS": principal},
        "Action": "elasticfilesystem:ClientMount",
        "Resource": "*",
    }
    policy = json.dumps({"Version": "2012-10-17", "Statement": [statement]})
    return [
        FakeResource("aws:iam/role:Role", "datasync-role", {"name": "lab-datasync-efs"}),
        FakeResource(
            "aws:efs/fileSystemPolicy:FileSystemPolicy",
            "efs-policy",
            {"fileSystemId": "fs-1", "policy": policy},
            after=after,
        ),
    ]


def test_policy_after_the_principal_it_names_passes(pack: PackClient) -> None:
    """A file-system policy that waits for the role it names is ordered."""
    assert hits(pack.analyze_stack(_efs_policy(after=("datasync-role",))), PRINCIPAL_RULE) == []


def test_policy_racing_the_principal_it_names_is_reported(pack: PackClient) -> None:
    """Naming the role by a precomputed ARN without a dependency is reported."""
    found = hits(pack.analyze_stack(_efs_policy()), PRINCIPAL_RULE)
    assert [(e, n) for e, n, _ in found] == [("mandatory", "efs-policy")]
    assert f"names role {ROLE_ARN} as Principal but does not wait for datasync-role" in found[0][2]


def test_principal_outside_the_stack_is_the_wiring_rules_business(pack: PackClient) -> None:
    """A principal no stack role matches has nothing to wait for here."""
    other = "arn:aws:iam::111122223333:role/elsewhere"
    assert hits(pack.analyze_stack(_efs_policy(principal=other)), PRINCIPAL_RULE) == []


# ---- adversarial variants ----


def _other_file_system() -> list[FakeResource]:
    return [
        FakeResource(FILE_SYSTEM, "fs2", {"encrypted": True}),
        FakeResource(MOUNT_TARGET, "mt-c", {"fileSystemId": "fs-2"}, {"fileSystemId": ["fs2"]}),
    ]


def _gate(*after: str) -> FakeResource:
    return FakeResource("aws:cloudwatch/logGroup:LogGroup", "gate", {}, after=after)


def _two_statuses(after: tuple[str, ...]) -> list[FakeResource]:
    return [
        FakeResource(METHOD_RESPONSE, "get-200", {**_RESPONSE, "statusCode": "200"}),
        FakeResource(METHOD_RESPONSE, "get-500", {**_RESPONSE, "statusCode": "500"}),
        FakeResource(
            INTEGRATION_RESPONSE, "get-error", {**_RESPONSE, "statusCode": "500"}, after=after
        ),
    ]


def _other_cluster_groups() -> list[FakeResource]:
    return [
        FakeResource(CLUSTER, "eks2", {"name": "other"}),
        FakeResource(
            NODE_GROUP, "other-nodes", {"clusterName": "other"}, {"clusterName": ["eks2"]}
        ),
    ]


def _efs_policy_as(principal: object, *, as_text: bool = True) -> list[FakeResource]:
    statement = {
        "Sid": "AllowDataSync",
        "Effect": "Allow",
        "Principal": {"AWS": principal},
        "Action": "elasticfilesystem:ClientMount",
        "Resource": "*",
    }
    document = {"Version": "2012-10-17", "Statement": [statement]}
    return [
        FakeResource("aws:iam/role:Role", "datasync-role", {"name": "lab-datasync-efs"}),
        FakeResource(
            "aws:efs/fileSystemPolicy:FileSystemPolicy",
            "efs-policy",
            {"fileSystemId": "fs-1", "policy": json.dumps(document) if as_text else document},
        ),
    ]


def _storage_waiting_for(addon: str) -> list[FakeResource]:
    fakes = _kubernetes((addon,), ("aws-efs-csi-driver", "efs-projects"))
    return [*fakes, _addon("coredns", after=("general", "gpu"))]


ORDER_VARIANTS = [
    # Waiting for the mount target of another file system is not waiting for its own.
    stack_variant(
        LAMBDA_RULE,
        "case-and-type",
        [*_efs(_function(after=("mt-c",))), *_other_file_system()],
        "cleanup",
        "mt-a, mt-b",
    ),
    stack_variant(
        DATASYNC_RULE,
        "case-and-type",
        [*_efs(_location(after=("mt-c",))), *_other_file_system()],
        "efs-location",
        "mt-a, mt-b",
    ),
    # Waiting through another resource that waits for both mount targets is ordered.
    stack_variant(
        DATASYNC_RULE,
        "equivalent-value",
        [*_efs(_location(after=("gate",))), _gate("mt-a", "mt-b")],
        "efs-location",
        None,
    ),
    # Node groups of another cluster do not run this cluster's add-on pods.
    stack_variant(
        ADDON_RULE,
        "case-and-type",
        [
            *_cluster(),
            *_other_cluster_groups(),
            _addon("amazon-cloudwatch-observability", after=("other-nodes",)),
        ],
        "amazon-cloudwatch-observability",
        "does not wait for the node groups general, gpu of its cluster",
    ),
    stack_variant(
        ADDON_RULE,
        "equivalent-value",
        [*_cluster(), _gate("general", "gpu"), _addon("aws-efs-csi-driver", after=("gate",))],
        "aws-efs-csi-driver",
        None,
    ),
    # A StorageClass waiting for another add-on (coredns) still races the CSI driver.
    stack_variant(
        CSI_RULE,
        "case-and-type",
        _storage_waiting_for("coredns"),
        "efs-projects",
        "aws-efs-csi-driver driver but does not wait",
    ),
    # The integration response of 500 waiting only for the method response of 200.
    stack_variant(
        APIGW_RULE,
        "case-and-type",
        _two_statuses(after=("get-200",)),
        "get-error",
        "does not wait for the method response get-500 of status 500",
    ),
    stack_variant(APIGW_RULE, "equivalent-value", _two_statuses(after=("get-500",)), "", None),
    # The principal given as a list, or the policy as an object, is judged the same.
    stack_variant(
        PRINCIPAL_RULE,
        "string-vs-list",
        _efs_policy_as([ROLE_ARN]),
        "efs-policy",
        "does not wait for datasync-role",
    ),
    stack_variant(
        PRINCIPAL_RULE,
        "json-vs-object",
        _efs_policy_as(ROLE_ARN, as_text=False),
        "efs-policy",
        "does not wait for datasync-role",
    ),
]

test_adversarial_order_variant = stack_variant_tests(ORDER_VARIANTS)

"""Project workspaces (namespaces, quotas, service accounts, shared PVCs) under the mocks."""

from __future__ import annotations

from typing import Any

import pulumi_kubernetes as k8s
import pytest

from components.compute.workspaces import Workspaces, WorkspacesArgs
from tests.support.harness import Registered, record

PROJECTS = ("tb-genomics", "rare-disease")
NAMESPACE = "kubernetes:core/v1:Namespace"
PVC = "kubernetes:core/v1:PersistentVolumeClaim"


def _record(**overrides: Any) -> Registered:
    def build() -> None:
        args: dict[str, Any] = {
            "projects": PROJECTS,
            "k8s_provider": k8s.Provider("k8s", kubeconfig="{}"),
            **overrides,
        }
        typed: WorkspacesArgs = args  # type: ignore[assignment]
        Workspaces("workspaces", typed)

    return record(build)


@pytest.fixture(scope="module")
def workspaces() -> Registered:
    """Two projects with every default (100Gi workspace on efs-projects)."""
    return _record()


def _in_namespace(registered: Registered, type_token: str, namespace: str) -> dict[str, Any]:
    (match,) = [
        r.inputs
        for r in registered.of_type(type_token)
        if r.inputs["metadata"]["namespace"] == namespace
    ]
    return match


def test_a_namespace_per_project(workspaces: Registered) -> None:
    """Each project slug becomes a namespace of that name, labelled with the project."""
    namespaces = {r.inputs["metadata"]["name"]: r.inputs for r in workspaces.of_type(NAMESPACE)}
    assert set(namespaces) == set(PROJECTS)
    for project, inputs in namespaces.items():
        assert inputs["metadata"]["labels"]["genomics.platform/project"] == project


def test_namespaces_enforce_pod_security(workspaces: Registered) -> None:
    """Pod Security baseline is enforced and restricted is warned and audited."""
    for namespace in workspaces.of_type(NAMESPACE):
        labels = namespace.inputs["metadata"]["labels"]
        assert labels["pod-security.kubernetes.io/enforce"] == "baseline"
        assert labels["pod-security.kubernetes.io/warn"] == "restricted"


def test_quota_limits_cpu_memory_storage_and_claims(workspaces: Registered) -> None:
    """Each namespace's ResourceQuota caps CPU, memory, requested storage and PVC count."""
    for project in PROJECTS:
        hard = _in_namespace(workspaces, "kubernetes:core/v1:ResourceQuota", project)["spec"][
            "hard"
        ]
        assert hard == {
            "requests.cpu": "64",
            "requests.memory": "256Gi",
            "requests.storage": "1Ti",
            "persistentvolumeclaims": "20",
        }


def test_limit_range_gives_containers_defaults(workspaces: Registered) -> None:
    """Containers that set no resources get default requests and limits."""
    for project in PROJECTS:
        (limit,) = _in_namespace(workspaces, "kubernetes:core/v1:LimitRange", project)["spec"][
            "limits"
        ]
        assert limit["type"] == "Container"
        assert limit["defaultRequest"] == {"cpu": "250m", "memory": "1Gi"}
        assert limit["default"] == {"cpu": "2", "memory": "8Gi"}


def test_a_service_account_per_namespace_without_token_automount(workspaces: Registered) -> None:
    """Each namespace has a workspace ServiceAccount that does not mount an API token."""
    for project in PROJECTS:
        account = _in_namespace(workspaces, "kubernetes:core/v1:ServiceAccount", project)
        assert account["metadata"]["name"] == "workspace"
        assert account["automountServiceAccountToken"] is False


def test_workspace_claim_is_100gi_read_write_many_on_efs_projects(workspaces: Registered) -> None:
    """The default workspace PVC asks for 100Gi ReadWriteMany on efs-projects."""
    for project in PROJECTS:
        claim = _in_namespace(workspaces, PVC, project)
        assert claim["metadata"]["name"] == "workspace"
        assert claim["spec"] == {
            "accessModes": ["ReadWriteMany"],
            "storageClassName": "efs-projects",
            "resources": {"requests": {"storage": "100Gi"}},
        }


def test_workspace_objects_live_in_their_project_namespace(workspaces: Registered) -> None:
    """Quota, limits, account and claim depend on (and name) their project's namespace."""
    namespaces = {r.inputs["metadata"]["name"]: r.urn for r in workspaces.of_type(NAMESPACE)}
    for resource in workspaces.resources:
        if resource.type.startswith("kubernetes:core/v1:") and resource.type != NAMESPACE:
            namespace = resource.inputs["metadata"]["namespace"]
            assert namespaces[namespace] in resource.dependencies


def test_everything_goes_through_the_cluster_provider(workspaces: Registered) -> None:
    """Every Kubernetes object uses the given cluster's provider."""
    kubernetes = [r for r in workspaces.resources if r.type.startswith("kubernetes:")]
    assert len(kubernetes) == 5 * len(PROJECTS)
    assert all("::pulumi:providers:kubernetes::k8s::" in r.provider for r in kubernetes)


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"projects": ["TB_Genomics"]}, "are not project slugs"),
        ({"projects": ["tb-genomics", "tb-genomics"]}, "must not repeat a slug"),
        ({"storage_quota": "50Gi"}, "storage_quota 50Gi is below storage_size 100Gi"),
        ({"storage_size": "100GB"}, "storage_size '100GB' must be a whole quantity"),
        ({"cpu_quota": "lots"}, "cpu_quota 'lots' must be cores"),
    ],
    ids=["slug", "duplicate", "quota-below-size", "size-unit", "cpu"],
)
def test_invalid_args_fail_with_a_message_naming_the_input(
    overrides: dict[str, Any], message: str
) -> None:
    """Bad inputs fail at construction, naming the input and what to use instead."""
    with pytest.raises(ValueError, match=message):
        _record(**overrides)

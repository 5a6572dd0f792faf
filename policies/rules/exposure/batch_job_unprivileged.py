"""Batch jobs run unprivileged, on a read-only root file system, never as root by request.

docs/lab-data-mesh.md promises each alignment step an "unprivileged container, read-only root".
`privileged: true` gives the container "elevated permissions on the host container instance
(similar to the root user)" and `readonlyRootFilesystem` "is given read-only access to its root
file system" (AWS Batch API Reference, ContainerProperties); `user: root` (or `0`) and added
Linux capabilities such as `SYS_ADMIN` undo the same isolation (LinuxParameters.capabilities,
KernelCapabilities). An EKS job's container `securityContext` says the same in Kubernetes terms
(`privileged`, `allowPrivilegeEscalation`, `runAsUser: 0`, `readOnlyRootFilesystem`). A user left
unset runs as the image's user, which a preview cannot see, so it is not judged here.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any, Final

from policies.framework import EnforcementLevel, ResourceRule, ResourceView, Severity
from policies.props import as_bool, as_list, as_mapping, as_text, dig

__all__ = ["RULE"]

JOB_DEFINITION: Final = "aws:batch/jobDefinition:JobDefinition"
_ROOT_USERS: Final = frozenset({"root", "0", "0:0"})


def _containers(props: Mapping[str, Any]) -> Iterator[tuple[str, Mapping[str, Any]]]:
    """(label, container properties) of the single container and of every node range."""
    single = as_mapping(props.get("containerProperties"))
    if single:
        yield "container", single
    for node in as_list(dig(props.get("nodeProperties"), "nodeRangeProperties")):
        container = as_mapping(dig(node, "container"))
        if container:
            yield f"node range {as_text(dig(node, 'targetNodes'))}", container


def _ecs_problems(container: Mapping[str, Any]) -> Iterator[str]:
    if as_bool(container.get("privileged")):
        yield "is privileged"
    if not as_bool(container.get("readonlyRootFilesystem")):
        yield "has a writable root file system"
    if as_text(container.get("user")).strip().lower() in _ROOT_USERS:
        yield "runs as root"
    added = as_list(dig(container.get("linuxParameters"), "capabilities", "add"))
    if added:
        yield f"adds Linux capabilities {', '.join(sorted(as_text(c) for c in added))}"


def _eks_problems(props: Mapping[str, Any]) -> Iterator[str]:
    pod = dig(props.get("eksProperties"), "podProperties")
    for container in [*as_list(dig(pod, "containers")), *as_list(dig(pod, "initContainers"))]:
        name = as_text(dig(container, "name")) or "container"
        context = as_mapping(dig(container, "securityContext"))
        if as_bool(context.get("privileged")):
            yield f"EKS container {name} is privileged"
        if as_bool(context.get("allowPrivilegeEscalation")):
            yield f"EKS container {name} allows privilege escalation"
        if as_text(context.get("runAsUser")) == "0":
            yield f"EKS container {name} runs as root"


def _check(resource: ResourceView) -> Iterator[str]:
    for label, container in _containers(resource.props):
        for problem in _ecs_problems(container):
            yield f"job definition {resource.name}: the {label} {problem}"
    for problem in _eks_problems(resource.props):
        yield f"job definition {resource.name}: {problem}"


RULE = ResourceRule(
    name="batch-job-definition-unprivileged",
    description=(
        "Batch job containers are unprivileged, with a read-only root file system, no added "
        "Linux capabilities and no root user."
    ),
    severity=Severity.HIGH,
    enforcement=EnforcementLevel.MANDATORY,
    remediation=(
        "Set privileged=False and readonlyRootFilesystem=True in container_properties, drop "
        "user=root and linuxParameters.capabilities.add, and mount writable paths (/tmp) as "
        "volumes."
    ),
    concern="exposure",
    resource_types=(JOB_DEFINITION,),
    guards=(
        f"{JOB_DEFINITION}.containerProperties",
        f"{JOB_DEFINITION}.nodeProperties",
        f"{JOB_DEFINITION}.eksProperties.podProperties.containers[].securityContext.**",
        f"{JOB_DEFINITION}.eksProperties.podProperties.initContainers[].securityContext.**",
    ),
    check=_check,
)

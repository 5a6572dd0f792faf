"""The alignment as a Kubernetes Job on EKS: the workflow's calls as the pod's containers, in order.

A run in a project's namespace mounts the project's workspace PVC (ReadWriteMany on EFS),
runs on the alignment node group (its label as node selector, its taint tolerated), and runs
every call but the last as an init container (Kubernetes runs those one after another and
stops at the first failure) and the last one, which copies the outputs to the processed area,
as the main container. Each container runs its task's command as rendered from the WDL, in
the task's pinned image pulled through the account's ECR cache.

    python -m pipelines.eks_job --stack prod --project tb-genomics --sample S1 \\
        --read1 raw/rs_S1_R1.fastq.gz --read2 raw/rs_S1_R2.fastq.gz \\
        --reference reference/rg_h37rv.fa \\
        --registry 111122223333.dkr.ecr.ap-south-1.amazonaws.com | kubectl apply -f -
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final

from components.compute.workspaces import WORKSPACE_CLAIM, WORKSPACE_SERVICE_ACCOUNT
from contracts.names import is_project_slug
from pipelines.definition import alignment_workflow
from pipelines.images import ecr_image
from pipelines.outputs import EKS_WORKSPACE_MOUNT, run_paths
from pipelines.runner import call_scripts
from settings import CONFIG_NAMESPACE, SettingsError, StackSettings, load_settings
from tools.preview.stack_config import StackConfigError, load_stack_config

__all__ = [
    "AlignmentRun",
    "NodePlacement",
    "alignment_job",
    "main",
    "placement",
    "stack_settings",
]

_VOLUME: Final = "workspace"
_TAINT: Final = re.compile(r"^([^=:]+)=([^:]*):(NoSchedule|PreferNoSchedule|NoExecute)$")
_SAMPLE: Final = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$")
_PROJECT_ROOT: Final = Path(__file__).resolve().parents[1]


@dataclass(frozen=True, slots=True)
class NodePlacement:
    """Where alignment pods run: a node group's labels and the taints they must tolerate."""

    labels: Mapping[str, str]
    taints: Sequence[str]


@dataclass(frozen=True, slots=True)
class AlignmentRun:
    """One sample to align; file paths are relative to the workspace PVC's root."""

    project: str
    sample: str
    read1: str
    read2: str
    reference: str
    aligner: str = "bwa"
    threads: int = 8
    memory_gb: int = 32


def placement(settings: StackSettings, node_group: str) -> NodePlacement:
    """Labels and taints of the stack's node group `node_group` (settings nodeGroups)."""
    groups = {group.name: group for group in settings.node_groups}
    if node_group not in groups:
        raise ValueError(
            f"node group {node_group!r} is not in this stack's nodeGroups ({', '.join(groups)})"
        )
    group = groups[node_group]
    return NodePlacement(labels=dict(group.labels), taints=tuple(group.taints))


def _toleration(taint: str) -> dict[str, str]:
    match = _TAINT.fullmatch(taint)
    if match is None:
        raise ValueError(f"taint {taint!r} must look like key=value:NoSchedule")
    key, value, effect = match.groups()
    return {"key": key, "operator": "Equal", "value": value, "effect": effect}


def _in_workspace(path: str, what: str) -> str:
    if path.startswith("/") or ".." in Path(path).parts or not path:
        raise ValueError(f"{what} {path!r} must be a path inside the workspace, e.g. raw/x.fq.gz")
    return f"{EKS_WORKSPACE_MOUNT}/{path}"


def _validate(run: AlignmentRun) -> None:
    if not is_project_slug(run.project):
        raise ValueError(f"project {run.project!r} is not a project slug, e.g. tb-genomics")
    if not _SAMPLE.fullmatch(run.sample):
        raise ValueError(f"sample {run.sample!r} must be 1-64 letters, digits, _ or -")
    if not 1 <= run.threads <= 64 or not 1 <= run.memory_gb <= 1024:
        raise ValueError("threads must be 1-64 and memory_gb 1-1024")


def alignment_job(
    run: AlignmentRun, node: NodePlacement, registry: str, *, backoff_limit: int = 1
) -> dict[str, Any]:
    """The Job manifest of `run` (a plain dict, as `kubectl apply` reads it)."""
    _validate(run)
    workflow = alignment_workflow()
    scripts = call_scripts(run.aligner, workflow)
    paths = run_paths(EKS_WORKSPACE_MOUNT, run.sample, run.aligner)
    environment = {
        "sample": run.sample,
        "aligner": run.aligner,
        "read1": _in_workspace(run.read1, "read1"),
        "read2": _in_workspace(run.read2, "read2"),
        "reference": _in_workspace(run.reference, "reference"),
        "threads": str(run.threads),
        "memory_gb": str(run.memory_gb),
        "run_dir": paths.run_dir,
        "out_dir": paths.out_dir,
    }
    resources = {"cpu": str(run.threads), "memory": f"{run.memory_gb}Gi"}
    containers = [
        {
            "name": script.call.replace("_", "-"),
            "image": ecr_image(workflow.images()[script.image_input], registry),
            "command": script.command,
            "env": [{"name": k, "value": v} for k, v in environment.items()],
            "resources": {"requests": resources, "limits": resources},
            "volumeMounts": [
                {"name": _VOLUME, "mountPath": EKS_WORKSPACE_MOUNT},
                {"name": "tmp", "mountPath": "/tmp"},  # noqa: S108 - an emptyDir, per pod
            ],
            "securityContext": {
                "allowPrivilegeEscalation": False,
                "readOnlyRootFilesystem": True,
                "capabilities": {"drop": ["ALL"]},
            },
        }
        for script in scripts
    ]
    name = f"align-{run.sample.lower().replace('_', '-')}-{run.aligner}"
    labels = {
        "genomics.platform/project": run.project,
        "genomics.platform/pipeline": workflow.name,
        "genomics.platform/sample": run.sample,
    }
    return {
        "apiVersion": "batch/v1",
        "kind": "Job",
        "metadata": {"name": name, "namespace": run.project, "labels": labels},
        "spec": {
            "backoffLimit": backoff_limit,
            "ttlSecondsAfterFinished": 7 * 24 * 3600,
            "template": {
                "metadata": {"labels": labels},
                "spec": {
                    "serviceAccountName": WORKSPACE_SERVICE_ACCOUNT,
                    "automountServiceAccountToken": False,
                    "restartPolicy": "Never",
                    "nodeSelector": dict(node.labels),
                    "tolerations": [_toleration(t) for t in node.taints],
                    "initContainers": containers[:-1],
                    "containers": containers[-1:],
                    "volumes": [
                        {"name": _VOLUME, "persistentVolumeClaim": {"claimName": WORKSPACE_CLAIM}},
                        {"name": "tmp", "emptyDir": {}},
                    ],
                },
            },
        },
    }


def stack_settings(stack: str) -> StackSettings:
    """The settings of `stack` as the program reads them (Pulumi.yaml + Pulumi.<stack>.yaml)."""
    config = load_stack_config(_PROJECT_ROOT, stack)
    prefix = f"{CONFIG_NAMESPACE}:"
    return load_settings(
        {key.removeprefix(prefix): value for key, value in config.items() if key.startswith(prefix)}
    )


def main(argv: list[str] | None = None) -> int:
    """Print the Job manifest of one alignment run as JSON (kubectl reads JSON and YAML)."""
    parser = argparse.ArgumentParser(
        prog="python -m pipelines.eks_job",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--stack", default="prod")
    parser.add_argument("--project", required=True)
    parser.add_argument("--sample", required=True)
    parser.add_argument("--read1", required=True, help="relative to the workspace root")
    parser.add_argument("--read2", required=True)
    parser.add_argument("--reference", required=True)
    parser.add_argument("--aligner", default="bwa", choices=alignment_workflow().aligners())
    parser.add_argument("--threads", type=int, default=8)
    parser.add_argument("--memory-gb", type=int, default=32)
    parser.add_argument("--node-group", default="alignment")
    parser.add_argument(
        "--registry", required=True, help="<account>.dkr.ecr.<region>.amazonaws.com"
    )
    args = parser.parse_args(argv)
    try:
        settings = stack_settings(args.stack)
        if args.project not in settings.projects:
            raise ValueError(f"project {args.project!r} has no workspace in stack {args.stack}")
        run = AlignmentRun(
            project=args.project,
            sample=args.sample,
            read1=args.read1,
            read2=args.read2,
            reference=args.reference,
            aligner=args.aligner,
            threads=args.threads,
            memory_gb=args.memory_gb,
        )
        manifest = alignment_job(run, placement(settings, args.node_group), args.registry)
    except (SettingsError, StackConfigError, ValueError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    json.dump(manifest, sys.stdout, indent=2)
    print()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

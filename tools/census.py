"""The property census: every security-relevant input of every resource type the stacks create.

The pack can only trail the stack if nobody notices a new type or a new input. The census lists,
for each type the prod and dev programs register, every input (nested blocks included) that bears
on security or data protection, and says for each which rule guards it (the rule's `guards`
metadata) or why none needs to (`policies/census_exemptions.py`). `make docs` writes it to
`policies/census.json`; a test renders it again and fails on drift, and on any property that is
neither guarded nor exempted.

The schema is the providers' typed Args (pulumi_aws 7 ships no schema JSON in its wheel, and
neither do aws-native or kubernetes): each `@pulumi.getter` property gives the engine name, its
docstring the description, its annotation the nested Args class to walk into.

Which inputs are security-relevant is a heuristic over the input's own name (`CATEGORY_WORDS`,
matched against its camelCase words) plus `EXPLICIT` additions for inputs whose name hides what
they do (a Batch job's `containerProperties` holds `privileged`; DataSync's `transferMode`
decides whether deletions propagate).
"""

from __future__ import annotations

import argparse
import importlib
import inspect
import json
import re
import sys
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import Any, Final

from policies.census_exemptions import EXEMPTIONS
from policies.registry import all_rules

__all__ = [
    "CATEGORY_WORDS",
    "CENSUS_JSON",
    "EXPLICIT",
    "Input",
    "categories",
    "guards_by_path",
    "main",
    "present_types",
    "render_census",
    "schema_inputs",
]

ROOT: Final = Path(__file__).resolve().parents[1]
CENSUS_JSON: Final = ROOT / "policies" / "census.json"
STACKS: Final = ("prod", "dev")
HEALTHOMICS_ELSEWHERE: Final = (
    ("aws:region", "us-east-1"),
    ("genomics:primaryRegion", "us-east-1"),
    ("genomics:drRegion", "us-west-2"),
    ("genomics:allowedRegions", '["us-east-1","us-west-2"]'),
    ("genomics:healthomicsEnabled", "true"),
)
"""Prod's settings in a region pair that offers HealthOmics, to render its resource types."""

CATEGORY_WORDS: Final[Mapping[str, frozenset[str]]] = {
    "encryption": frozenset(
        {"encrypt", "encrypted", "encryption", "kms", "sse", "cmk", "tls", "ssl", "cipher"}
    ),
    "certificates": frozenset({"certificate", "certificates"}),
    "logging": frozenset({"log", "logs", "logging", "tracing", "audit"}),
    "exposure": frozenset(
        {"public", "publicly", "internet", "anonymous", "authorization", "authorizer", "acl"}
    ),
    "network": frozenset({"cidr", "cidrs", "ingress", "egress", "port", "ports", "ipv6"}),
    "deletion": frozenset(
        {"delete", "deletion", "deleted", "destroy", "reclaim", "overwrite", "protection"}
    ),
    "lifecycle": frozenset(
        {"lifecycle", "expiration", "expire", "expiry", "noncurrent", "transition", "transitions"}
    ),
    "retention": frozenset(
        {"retention", "retain", "lock", "governance", "versioning", "legal", "hold"}
    ),
    "replication": frozenset({"replication", "replica", "replicate", "copy"}),
    "principals": frozenset(
        {"policy", "principal", "principals", "trust", "condition", "assume", "permission"}
    ),
    "protocols": frozenset({"protocol", "protocols", "http", "https", "scheme"}),
    "privilege": frozenset({"privileged", "privilege", "root", "admin", "capabilities"}),
    "destinations": frozenset({"destination", "destinations"}),
    "regions": frozenset({"region", "regions"}),
}
"""Category → words that, as one camelCase word of an input's name, make it security-relevant."""

EXPLICIT: Final[Mapping[str, str]] = {
    "aws:batch/jobDefinition:JobDefinition.containerProperties": "privilege",
    "aws:batch/jobDefinition:JobDefinition.ecsProperties": "privilege",
    "aws:batch/jobDefinition:JobDefinition.eksProperties": "privilege",
    "aws:batch/jobDefinition:JobDefinition.nodeProperties": "privilege",
    "aws:datasync/task:Task.options.transferMode": "deletion",
    "aws:datasync/task:Task.excludes[].value": "replication",
    "aws:datasync/task:Task.includes[].value": "replication",
    "aws:s3/bucketReplicationConfig:BucketReplicationConfig.rules[].filter": "replication",
    "aws:s3/bucketReplicationConfig:BucketReplicationConfig.rules[].sourceSelectionCriteria"
    ".sseKmsEncryptedObjects.status": "replication",
    "aws:s3/bucketReplicationConfig:BucketReplicationConfig.rules[].status": "replication",
    "aws:sns/topicSubscription:TopicSubscription.endpoint": "destinations",
    "aws:backup/plan:Plan.rules[].copyActions[].destinationVaultArn": "regions",
    "aws:ec2/launchTemplate:LaunchTemplate.metadataOptions.httpTokens": "exposure",
    "aws:lambda/function:Function.environment": "encryption",
    "aws:iam/role:Role.managedPolicyArns": "principals",
    "aws:iam/rolePolicyAttachment:RolePolicyAttachment.policyArn": "principals",
    "aws:cloudwatch/eventTarget:EventTarget.arn": "destinations",
    "aws:eks/cluster:Cluster.accessConfig.authenticationMode": "principals",
    "aws:kms/key:Key.enableKeyRotation": "encryption",
    "aws:s3/bucketOwnershipControls:BucketOwnershipControls.rule.objectOwnership": "exposure",
    "aws:s3/bucketVersioning:BucketVersioning.versioningConfiguration.status": "retention",
    "aws:dynamodb/table:Table.pointInTimeRecovery.enabled": "retention",
    "aws:lambda/function:Function.runtime": "privilege",
    "aws:lambda/function:Function.reservedConcurrentExecutions": "deletion",
    "aws:lambda/permission:Permission.sourceArn": "principals",
    "aws:lambda/permission:Permission.sourceAccount": "principals",
    "aws:apigateway/integration:Integration.uri": "protocols",
    "aws:datasync/task:Task.options.verifyMode": "replication",
    "aws:s3/bucketLogging:BucketLogging.targetBucket": "logging",
    "kubernetes:storage.k8s.io/v1:StorageClass.mountOptions": "protocols",
}
"""Inputs whose name does not say what they decide, with the category they belong to."""

_IGNORED: Final = frozenset({"tags", "tagsAll"})
"""Tags are the required-tags rule's business across every type; they are not listed per type."""

_OUTPUT_BLOCKS: Final = frozenset({"status", "timeouts"})
"""Blocks that are no security setting: Kubernetes `status` (written by the cluster) and the
provider's operation `timeouts`."""

_QUALIFIERS: Final = frozenset(
    {"retry", "delivery", "dns", "pull", "update", "upgrade", "scheduling", "filter", "archive"}
    | {"replay", "redrive", "method", "feedback", "transition", "time"}
)
"""Words that make "policy" or "http" in a name mean something else: a retry policy, an HTTP
method, a transition time."""

_WORD: Final = re.compile(r"[A-Z]+(?=[A-Z][a-z]|\d|$)|[A-Z]?[a-z]+|\d+")
_ARGS_REF: Final = re.compile(r"ForwardRef\('(\w+Args)'\)")
_MAX_DEPTH: Final = 6


@dataclass(frozen=True, slots=True)
class Input:
    """One input of a resource type: its path (`type.block[].leaf`) and first doc line."""

    path: str
    description: str

    @property
    def leaf(self) -> str:
        return self.path.rsplit(".", 1)[-1].removesuffix("[]")


def words(name: str) -> list[str]:
    """`sseKmsEncryptedObjects` → ["sse", "kms", "encrypted", "objects"]."""
    return [w.lower() for w in _WORD.findall(name[:1].upper() + name[1:])]


def categories(item: Input) -> list[str]:
    """The security categories an input belongs to (empty: not security-relevant)."""
    blocks = {part.removesuffix("[]") for part in item.path.split(".")[1:-1]}
    if item.leaf in _IGNORED or blocks & _OUTPUT_BLOCKS:
        return []
    own = set(words(item.leaf))
    found = sorted(category for category, vocab in CATEGORY_WORDS.items() if own & vocab)
    if own & _QUALIFIERS:
        found = [c for c in found if c not in ("principals", "protocols")]
    explicit = EXPLICIT.get(item.path)
    if explicit is not None and explicit not in found:
        found.append(explicit)
    return found


# ---- reading the typed Args ----


def _snake(name: str) -> str:
    return re.sub(r"(?<!^)(?=[A-Z])", "_", name).lower()


def _module_of(type_token: str) -> tuple[ModuleType, str]:
    """The Python module declaring `type_token`'s resource, and the resource class name."""
    package, module, name = type_token.split(":")
    if package == "aws":
        service, file = module.split("/")
        service = "lambda_" if service == "lambda" else service
        path = f"pulumi_aws.{service}.{_snake(file)}"
    elif package == "aws-native":
        path = f"pulumi_aws_native.{module}.{_snake(name)}"
    elif package == "kubernetes":
        group, version = module.split("/")
        group = group.removesuffix(".k8s.io").replace(".", "_").replace("-", "_")
        path = f"pulumi_kubernetes.{group}.{version}.{name}"
    else:
        raise LookupError(f"no provider package for {type_token}")
    return importlib.import_module(path), name


def _args_class(type_token: str) -> tuple[type[Any], ModuleType]:
    module, name = _module_of(type_token)
    # A resource whose Args name collides with an inline block's (BucketVersioningArgs) is
    # declared as `<Name>InitArgs`; the module's __all__ says which one is its own.
    own = [n for n in getattr(module, "__all__", ()) if n in (f"{name}Args", f"{name}InitArgs")]
    found = getattr(module, own[0], None) if own else None
    if found is None:
        raise LookupError(f"{module.__name__} declares no {name}Args")
    return found, module


def _nested(reference: str, module: ModuleType) -> type[Any] | None:
    """The Args class named `reference`, from the service's `_inputs` or the package's."""
    parts = module.__name__.split(".")
    for depth in range(len(parts) - 1, 0, -1):
        candidate = sys.modules.get(".".join(parts[:depth]) + "._inputs")
        if candidate is None:
            try:
                candidate = importlib.import_module(".".join(parts[:depth]) + "._inputs")
            except ImportError:
                continue
        found = getattr(candidate, reference, None)
        if isinstance(found, type):
            return found
    return None


def _walk(
    cls: type[Any], module: ModuleType, prefix: str, seen: frozenset[str], depth: int
) -> Iterator[Input]:
    for attribute, member in inspect.getmembers(cls, lambda m: isinstance(m, property)):
        getter = member.fget
        engine = getattr(getter, "_pulumi_name", attribute)
        annotation = repr(getattr(getter, "__annotations__", {}).get("return"))
        references = _ARGS_REF.findall(annotation)
        listed = bool(references) and "Sequence[" in annotation.split(references[0])[0]
        path = f"{prefix}.{engine}{'[]' if listed else ''}"
        doc = (getter.__doc__ or "").strip().splitlines()
        yield Input(path, doc[0].strip() if doc else "")
        if references and references[0] not in seen and depth < _MAX_DEPTH:
            nested = _nested(references[0], module)
            if nested is not None:
                yield from _walk(nested, module, path, seen | {references[0]}, depth + 1)


def schema_inputs(type_token: str) -> list[Input]:
    """Every input of `type_token`, nested blocks included, from the provider's typed Args."""
    cls, module = _args_class(type_token)
    return sorted(_walk(cls, module, type_token, frozenset(), 0), key=lambda i: i.path)


# ---- the stacks and the pack ----


def present_types(root: Path = ROOT) -> list[str]:
    """Every custom resource type the prod and dev programs register (providers excluded)."""
    from tools.preview.program import run_program
    from tools.preview.stack_config import load_stack_config

    found: set[str] = set()
    configs = [(stack, load_stack_config(root, stack)) for stack in STACKS]
    # HealthOmics is off in prod (not offered in India) but the program can build it where it
    # is offered; its types belong to the census all the same.
    configs.append(("prod", {**load_stack_config(root, "prod"), **dict(HEALTHOMICS_ELSEWHERE)}))
    for stack, config in configs:
        run = run_program(root, "genomics", stack, config)
        found.update(r.type for r in run.resources if r.custom and not r.type.startswith("pulumi:"))
    return sorted(found)


def guards_by_path() -> dict[str, list[str]]:
    """Path pattern (see `guard_matches`) → names of the rules whose metadata says they guard it."""
    found: dict[str, list[str]] = {}
    for rule in all_rules():
        for path in rule.guards:
            found.setdefault(path, []).append(rule.name)
    return found


def guard_matches(pattern: str, path: str) -> bool:
    """Whether a rule's guard covers `path`: `*` stands for any text without a dot (one type
    or one input), and a trailing `.**` for a whole block."""
    if pattern.endswith(".**"):
        head = pattern[:-3]
        return guard_matches(head, path) or any(
            guard_matches(head, path[:i]) for i, c in enumerate(path) if c == "."
        )
    regex = "".join("[^.]*" if c == "*" else re.escape(c) for c in pattern)
    return re.fullmatch(regex, path) is not None


def _guards_of(path: str, guards: Mapping[str, list[str]]) -> list[str]:
    return sorted(
        {r for pattern, rules in guards.items() if guard_matches(pattern, path) for r in rules}
    )


def census_rows(types: Iterable[str]) -> list[dict[str, Any]]:
    """One row per security-relevant input of `types`: path, categories, guard or exemption."""
    guards = guards_by_path()
    rows = []
    for type_token in types:
        for item in schema_inputs(type_token):
            found = categories(item)
            if not found:
                continue
            row: dict[str, Any] = {"path": item.path, "categories": found}
            rules = _guards_of(item.path, guards)
            if rules:
                row["guardedBy"] = rules
            if item.path in EXEMPTIONS:
                row["exemption"] = EXEMPTIONS[item.path]
            row["description"] = item.description
            rows.append(row)
    return rows


def render_census(types: Iterable[str]) -> str:
    """The census as committed: present types and their security-relevant inputs."""
    listed = sorted(types)
    rows = census_rows(listed)
    document = {
        "note": "Generated by `python -m tools.census` (make docs); edit rules' `guards` or "
        "policies/census_exemptions.py, not this file.",
        "types": listed,
        "summary": {
            "inputs": len(rows),
            "guarded": sum(1 for r in rows if "guardedBy" in r),
            "exempted": sum(1 for r in rows if "guardedBy" not in r and "exemption" in r),
            "uncovered": sum(1 for r in rows if "guardedBy" not in r and "exemption" not in r),
        },
        "inputs": rows,
    }
    return json.dumps(document, indent=1, sort_keys=False) + "\n"


def main(argv: list[str] | None = None) -> int:
    """Write policies/census.json, or with `--check` fail when it drifted or has gaps."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="compare instead of writing")
    args = parser.parse_args(argv)
    text = render_census(present_types())
    uncovered = json.loads(text)["summary"]["uncovered"]
    if args.check:
        current = CENSUS_JSON.read_text(encoding="utf-8") if CENSUS_JSON.exists() else ""
        if current != text:
            print("policies/census.json is stale: run `make docs`", file=sys.stderr)
            return 1
    else:
        CENSUS_JSON.write_text(text, encoding="utf-8")
        print(f"wrote {CENSUS_JSON.relative_to(ROOT)}")
    if uncovered:
        print(f"{uncovered} security-relevant inputs are neither guarded nor exempted")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

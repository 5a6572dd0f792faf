"""The AWS calls a function's code makes, read from its adapters' source.

Each function reaches AWS only through small adapters (`self._client.<operation>(...)` inside
an adapter method). The calls a function makes are the operations of the adapter methods its
own modules invoke, over every `functions.*` module its handler imports. A new boto3 call in
an adapter method a function uses shows up here; `tests/tools/test_access_calls.py` then
fails until the function's declared list (`functions/<name>/access.py`) names its IAM action.
"""

from __future__ import annotations

import ast
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Final

__all__ = ["FUNCTIONS_DIR", "BotoCall", "iam_actions", "operations_of"]

FUNCTIONS_DIR: Final = Path(__file__).resolve().parents[2] / "functions"

_IAM_PREFIX: Final = {"stepfunctions": "states"}
"""boto3 service names whose IAM action prefix differs."""

_IAM_ACTION: Final = {
    ("s3", "list_objects_v2"): ("s3:ListBucket",),
    ("s3", "head_object"): ("s3:GetObject",),
    # upload_fileobj is a transfer: PutObject, or the multipart calls, all under s3:PutObject.
    ("s3", "upload_fileobj"): ("s3:PutObject",),
    ("sts", "get_caller_identity"): (),
}
"""Operations whose IAM action is not `<prefix>:<OperationName>` (Service Authorization
Reference: ListObjectsV2 and HeadObject are authorized as s3:ListBucket and s3:GetObject;
GetCallerIdentity needs no permission)."""


@dataclass(frozen=True, order=True)
class BotoCall:
    """One boto3 client operation a function's code invokes."""

    service: str
    operation: str
    """The client method name, e.g. `put_object_tagging`."""


def _module_path(module: str, root: Path) -> Path | None:
    parts = module.split(".")
    if parts[0] != "functions":
        return None
    base = root.joinpath(*parts[1:])
    for candidate in (base.with_suffix(".py"), base / "__init__.py"):
        if candidate.is_file():
            return candidate
    return None


def _imported_modules(handler: Path, root: Path) -> list[Path]:
    """`handler` and every `functions.*` module it imports, transitively."""
    seen: dict[Path, ast.Module] = {}
    pending = [handler]
    while pending:
        path = pending.pop()
        if path in seen:
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        seen[path] = tree
        for node in ast.walk(tree):
            names: Iterable[str] = ()
            if isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module, *(f"{node.module}.{a.name}" for a in node.names)]
            elif isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            for name in names:
                found = _module_path(name, root)
                if found is not None and found not in seen:
                    pending.append(found)
    return list(seen)


def operations_of(function: str, root: Path = FUNCTIONS_DIR) -> set[BotoCall]:
    """The boto3 operations function `function` (a folder of `functions/`) can invoke.

    The scan is by method name: an adapter method counts as used when the function's modules
    call a method of that name outside the adapters (an over-approximation, never a miss).
    """
    trees = [
        ast.parse(path.read_text(encoding="utf-8"))
        for path in _imported_modules(root / function / "handler.py", root)
    ]
    adapter_methods: dict[tuple[str, str], set[str]] = {}
    adapter_nodes: set[int] = set()
    handler_services: dict[str, str] = {}
    for tree in trees:
        for cls in (n for n in ast.walk(tree) if isinstance(n, ast.ClassDef)):
            for method in (n for n in cls.body if isinstance(n, ast.FunctionDef)):
                operations = _client_operations(method)
                if operations:
                    adapter_methods[(cls.name, method.name)] = operations
                    adapter_nodes |= {id(n) for n in ast.walk(method)}
        for node in ast.walk(tree):
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Name)
                and node.args
                and isinstance(node.args[0], ast.Call)
                and ast.unparse(node.args[0].func) == "boto3.client"
                and node.args[0].args
                and isinstance(node.args[0].args[0], ast.Constant)
            ):
                handler_services[node.func.id] = str(node.args[0].args[0].value)
    called = {
        node.func.attr
        for tree in trees
        for node in ast.walk(tree)
        if isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        and id(node) not in adapter_nodes
    }
    calls: set[BotoCall] = set()
    for (class_name, method_name), operations in adapter_methods.items():
        service = handler_services.get(class_name)
        if service is None or method_name not in called:
            continue
        calls |= {BotoCall(service, operation) for operation in operations}
    return calls


def _client_operations(method: ast.FunctionDef) -> set[str]:
    operations: set[str] = set()
    for node in ast.walk(method):
        if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)):
            continue
        target = ast.unparse(node.func.value)
        if target != "self._client":
            continue
        if node.func.attr == "get_paginator" and isinstance(node.args[0], ast.Constant):
            operations.add(str(node.args[0].value))
        elif node.func.attr != "meta":
            operations.add(node.func.attr)
    return operations


def iam_actions(call: BotoCall) -> tuple[str, ...]:
    """The IAM actions AWS authorizes `call` as."""
    if (call.service, call.operation) in _IAM_ACTION:
        return _IAM_ACTION[(call.service, call.operation)]
    prefix = _IAM_PREFIX.get(call.service, call.service)
    return (f"{prefix}:{''.join(part.title() for part in call.operation.split('_'))}",)

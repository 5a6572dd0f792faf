"""The deny-intent cells of `make access` hold over the rendered stack, and each narrowing they
brought in is proven by the mutation that undoes it: the cell it guards flips to allowed.

Every test takes the prod stack as `make preview` renders it, reverts one document to what it
was before its fix (a condition dropped, a resource widened, a managed policy re-attached) and
decides the same generated cells again with the real engine.
"""

from __future__ import annotations

import copy
import dataclasses
import re
from collections.abc import Callable
from typing import Any

import pytest

from settings import settings_from_config
from tools.access.__main__ import load_stack
from tools.access.deny_intent import FOREIGN_ACCOUNT, SOURCELESS_SERVICES
from tools.access.docs import ACCESS_MD
from tools.access.evaluate import decide, generate
from tools.access.matrix import Cell
from tools.access.stack import StackDocuments

_RESTORES = "arn:aws:iam::aws:policy/service-role/AWSBackupServiceRolePolicyForRestores"


@pytest.fixture(scope="module")
def prod() -> tuple[StackDocuments, list[Cell]]:
    """The prod stack as `make preview` renders it, and every cell of its matrix."""
    stack = load_stack("prod", None)
    return stack, generate(stack, settings_from_config(stack.config))


def _statement(document: Any, sid: str) -> Any:
    return next(s for s in document["Statement"] if s.get("Sid") == sid)


def _policy_id(stack: StackDocuments, suffix: str) -> str:
    found = [p for p in stack.policies if p.endswith(suffix)]
    assert len(found) == 1, (suffix, found)
    return found[0]


def _mutated(stack: StackDocuments, suffix: str, change: Callable[[Any], object]) -> StackDocuments:
    changed = copy.copy(stack)
    changed.policies = copy.deepcopy(stack.policies)
    change(changed.policies[_policy_id(stack, suffix)])
    return changed


def _decisions(
    prod: tuple[StackDocuments, list[Cell]],
    mutated: StackDocuments,
    label: str,
    operation: str,
    target: str,
) -> tuple[list[bool], list[bool]]:
    """Allowed?, for the matching deny-intent cells, on the rendered then the mutated stack."""
    stack, cells = prod
    chosen = [
        c
        for c in cells
        if not c.intended
        and label in c.caller.label
        and c.operation == operation
        and target in c.target
    ]
    assert chosen, (label, operation, target)
    return (
        [o.allowed for o in decide(stack, chosen)],
        [o.allowed for o in decide(mutated, chosen, mutated.policies)],
    )


def test_every_role_gets_deny_intent_cells(prod: tuple[StackDocuments, list[Cell]]) -> None:
    """Every role of the stack is probed (a role added later is covered without a list), and
    every service trust that can carry source conditions gets a stranger's probe."""
    stack, cells = prod
    probed = {c.caller.principal for c in cells if c.section == "deny intent"}
    for role in stack.roles.values():
        assert f"arn:aws:sts::{stack.account}:assumed-role/{role.name}/access-check" in probed
    trusts = {c.target for c in cells if c.operation == "cross-account: sts:AssumeRole"}
    for role in stack.roles.values():
        services = [
            s.get("Principal", {}).get("Service")
            for s in role.trust["Statement"]
            if isinstance(s.get("Principal"), dict)
        ]
        if any(s and s not in SOURCELESS_SERVICES for s in services):
            assert role.name in trusts, role.name
    assert all(
        c.caller.context["aws:SourceAccount"] == FOREIGN_ACCOUNT
        for c in cells
        if c.operation == "cross-account: sts:AssumeRole"
    )


def _drop_access_point_pin(sid: str) -> Callable[[Any], object]:
    def change(document: Any) -> None:
        condition = _statement(document, sid)["Condition"]
        for operator in ("Null", "ArnNotEquals", "ArnEquals"):
            condition.pop(operator, None)

    return change


@pytest.mark.parametrize(
    ("sid", "role"),
    [
        ("AllowListedRolesThroughMountTargets", "efs-csi-role"),
        ("AllowListedRolesThroughMountTargets", "eks-node-role"),
        ("AllowScratchThroughItsAccessPoint", "scratch-cleanup"),
        ("AllowRootAccessToListedRoles", "datasync-efs"),
    ],
)
def test_the_file_system_policy_pins_each_client_to_its_access_points(
    prod: tuple[StackDocuments, list[Cell]], sid: str, role: str
) -> None:
    """Without the access-point condition the file-system policy lets the client mount the
    file-system root, whatever its identity policy pins."""
    mutated = _mutated(prod[0], "-efs-policy", _drop_access_point_pin(sid))
    before, after = _decisions(
        prod, mutated, role, "mount: elasticfilesystem:ClientMount", "(root)"
    )
    assert not any(before)
    assert any(after)


def test_the_efs_csi_pod_identity_trust_refuses_another_account(
    prod: tuple[StackDocuments, list[Cell]],
) -> None:
    mutated = _mutated(prod[0], "efs-csi-role-trust", lambda d: d["Statement"][0].pop("Condition"))
    before, after = _decisions(
        prod, mutated, "pods.eks.amazonaws.com", "cross-account: sts:AssumeRole", "efs-csi"
    )
    assert (before, after) == ([False], [True])


def _widen_to_bucket(sid: str) -> Callable[[Any], object]:
    def change(document: Any) -> None:
        statement = _statement(document, sid)
        resources = statement["Resource"]
        resources = resources if isinstance(resources, list) else [resources]
        statement["Resource"] = [r.split("/", 1)[0] + "/*" for r in resources]

    return change


@pytest.mark.parametrize(
    ("policy", "sid", "role", "operation"),
    [
        (
            "transfer-raw-sequence-role-policy",
            "ObjectLevel",
            "datasync-raw-sequence",
            "write: s3:PutObject",
        ),
        ("transfer-reports-role-policy", "ObjectLevel", "datasync-reports", "read: s3:GetObject"),
        ("transfer-tagger-policy", "TagDataObjects", "object-tagger", "tag: s3:PutObjectTagging"),
        ("lab-batch-job-policy", "ReadInputs", "lab-batch-job-role", "read: s3:GetObject"),
        ("lab-batch-job-policy", "WriteAlignedOutput", "lab-batch-job-role", "write: s3:PutObject"),
    ],
)
def test_data_movement_roles_stay_inside_their_layout_prefix(
    prod: tuple[StackDocuments, list[Cell]], policy: str, sid: str, role: str, operation: str
) -> None:
    """A grant widened back to the whole bucket reaches keys outside the layout's prefixes."""
    mutated = _mutated(prod[0], policy, _widen_to_bucket(sid))
    before, after = _decisions(prod, mutated, role, operation, "-ap-south-1/deny-probe/sample")
    assert not any(before)
    assert any(after)


def test_datasync_destinations_cannot_delete(prod: tuple[StackDocuments, list[Cell]]) -> None:
    """Every task preserves deleted files, so a location role never needs s3:DeleteObject."""
    mutated = _mutated(
        prod[0],
        "transfer-processed-genome-role-policy",
        lambda d: _statement(d, "ObjectLevel")["Action"].append("s3:DeleteObject"),
    )
    before, after = _decisions(
        prod, mutated, "datasync-processed-genome", "delete: s3:DeleteObject", "processed-genome"
    )
    assert not any(before)
    assert any(after)


@pytest.mark.parametrize(
    ("operation", "target"),
    [
        ("delete: ec2:DeleteVolume", "volume/"),
        ("pass-role: iam:PassRole", "to "),
        ("delete: elasticfilesystem:DeleteFileSystem", "file-system/"),
        ("write: dynamodb:PutItem", "table/"),
    ],
)
def test_the_backup_role_no_longer_carries_the_managed_restore_policy(
    prod: tuple[StackDocuments, list[Cell]], operation: str, target: str
) -> None:
    """AWSBackupServiceRolePolicyForRestores deletes any volume, passes any role and writes any
    table; the scoped restore policy does none of it."""
    stack = prod[0]
    changed = copy.copy(stack)
    changed.policies = {**stack.policies, _RESTORES: {"managed": _RESTORES}}
    label = next(r.name for r in stack.roles.values() if r.name.endswith("-backup"))
    cells = [
        c
        for c in prod[1]
        if not c.intended
        and c.caller.label == label
        and c.operation == operation
        and target in c.target
    ]
    assert cells
    with_restores = [
        dataclasses.replace(
            c, caller=dataclasses.replace(c.caller, policies=(*c.caller.policies, _RESTORES))
        )
        for c in cells
    ]
    assert not any(o.allowed for o in decide(stack, cells))
    assert any(o.allowed for o in decide(changed, with_restores, changed.policies))


def test_a_research_role_is_assumed_only_by_members_of_its_group(
    prod: tuple[StackDocuments, list[Cell]],
) -> None:
    """Without the identity provider's group tag in the trust, a member of another group (or
    anyone in the account with MFA) becomes the role."""

    def drop_membership(document: Any) -> None:
        for statement in document["Statement"]:
            statement["Condition"]["StringEquals"].pop("aws:PrincipalTag/research-group")
            if not statement["Condition"]["StringEquals"]:
                statement["Condition"].pop("StringEquals")

    mutated = _mutated(prod[0], "research-tb-lab-trust", drop_membership)
    for label in ("researcher (research-group=", "researcher (no research-group tag)"):
        before, after = _decisions(prod, mutated, label, "assume role (MFA)", "research-tb-lab")
        assert (before, after) == ([False], [True]), label


@pytest.mark.parametrize("name", ["prod", "dev"])
def test_every_attached_aws_managed_policy_is_documented(name: str) -> None:
    """A managed policy grants what AWS decides, so each one attached says why in docs."""
    stack = load_stack(name, None)
    text = ACCESS_MD.read_text(encoding="utf-8")
    documented = set(re.findall(r"^\| `([A-Za-z0-9_]+)` \|", text, flags=re.MULTILINE))
    attached = {
        p.rsplit("/", 1)[1]
        for role in stack.roles.values()
        for p in role.policies
        if "managed" in stack.policies[p]
    }
    assert attached
    assert attached <= documented, sorted(attached - documented)

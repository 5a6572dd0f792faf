"""Every role a bucket or file-system policy names is a role the stack creates.

Each side is unit-tested on its own; this joins them over the rendered stack, so a role name
computed on one side and created under another name on the other fails here.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any

from tests.support.harness import Registered
from tools.preview.mocks import MOCK_ACCOUNT_ID

_ROLE_ARN = re.compile(r"arn:aws:iam::(\d{12}):role/[\w+=,.@/-]+")
_POLICY_TYPES = (
    "aws:s3/bucketPolicy:BucketPolicy",
    "aws:efs/fileSystemPolicy:FileSystemPolicy",
)


def _strings(value: Any) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for item in value.values():
            yield from _strings(item)
    elif isinstance(value, list):
        for item in value:
            yield from _strings(item)


def created_role_arns(stack: Registered) -> set[str]:
    """ARNs of the roles the stack creates, as the mocks (like IAM) return them."""
    return {str(role.outputs["arn"]) for role in stack.of_type("aws:iam/role:Role")}


def named_role_arns(stack: Registered) -> dict[str, set[str]]:
    """Policy resource name → own-account role ARNs its document names anywhere."""
    named: dict[str, set[str]] = {}
    for resource in stack.resources:
        if resource.type not in _POLICY_TYPES:
            continue
        document = json.loads(resource.inputs["policy"])
        arns = {
            match.group(0)
            for text in _strings(document)
            for match in _ROLE_ARN.finditer(text)
            if match.group(1) == MOCK_ACCOUNT_ID
        }
        named[resource.name] = arns
    return named


def test_every_role_a_resource_policy_names_is_created(stack: Registered) -> None:
    """Bucket and file-system policies name only roles of this stack (no dangling ARNs)."""
    created = created_role_arns(stack)
    named = named_role_arns(stack)
    assert any(named.values()), "no policy names a role: the join checks nothing"
    dangling = {name: sorted(arns - created) for name, arns in named.items() if arns - created}
    assert dangling == {}


def test_the_data_buckets_trust_the_tagger_the_transfer_creates(stack: Registered) -> None:
    """The tag-write deny of every primary data bucket exempts the tagger's real role."""
    tagger = next(
        r
        for r in stack.of_type("aws:lambda/function:Function")
        if r.inputs["name"].endswith("-object-tagger")
    )
    tagger_role = tagger.inputs["role"]
    policies = [
        r for r in stack.of_type("aws:s3/bucketPolicy:BucketPolicy") if "-dr-" not in r.name
    ]
    exempting = [
        p.name
        for p in policies
        if tagger_role in p.inputs["policy"] and "DenyTagWrites" in p.inputs["policy"]
    ]
    data_policies = [p.name for p in policies if "DenyTagWrites" in p.inputs["policy"]]
    assert data_policies
    assert exempting == data_policies


def test_every_bucket_people_upload_to_tells_the_tagger(stack: Registered) -> None:
    """The buckets research roles upload to send events to EventBridge, and one rule sends
    their `Object Created` events to the tagger (which is allowed to be invoked by it)."""
    upload_buckets = {
        str(statement["Resource"]).removeprefix("arn:aws:s3:::").split("/")[0]
        for policy in stack.of_type("aws:iam/rolePolicy:RolePolicy")
        for statement in json.loads(policy.inputs["policy"])["Statement"]
        if str(statement.get("Sid", "")).startswith("Upload")
    }
    assert upload_buckets
    notifying = {
        r.inputs["bucket"]
        for r in stack.of_type("aws:s3/bucketNotification:BucketNotification")
        if r.inputs.get("eventbridge")
    }
    assert upload_buckets <= notifying
    rules = [
        r
        for r in stack.of_type("aws:cloudwatch/eventRule:EventRule")
        if '"Object Created"' in str(r.inputs.get("eventPattern", ""))
    ]
    assert len(rules) == 1
    pattern = json.loads(rules[0].inputs["eventPattern"])
    assert set(pattern["detail"]["bucket"]["name"]) >= notifying
    tagger = next(
        r
        for r in stack.of_type("aws:lambda/function:Function")
        if r.inputs["name"].endswith("-object-tagger")
    )
    targets = [
        t
        for t in stack.of_type("aws:cloudwatch/eventTarget:EventTarget")
        if t.inputs["rule"] == rules[0].inputs["name"]
    ]
    assert [t.inputs["arn"] for t in targets] == [tagger.outputs["arn"]]

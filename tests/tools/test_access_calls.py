"""Each function's declared AWS calls (`functions/<name>/access.py`) match what its code calls.

`make access` proves a grant for every declared call; this test makes the declaration follow
the code: a boto3 call an adapter method makes, in a method the function uses, must be
declared, and a declaration the code no longer needs must go.
"""

from __future__ import annotations

import importlib
from pathlib import Path

import pytest

from functions.common.access import Call
from tools.access.code_calls import FUNCTIONS_DIR, BotoCall, iam_actions, operations_of

FUNCTIONS = sorted(p.parent.name for p in FUNCTIONS_DIR.glob("*/handler.py"))


def _declared(function: str) -> tuple[Call, ...]:
    calls: tuple[Call, ...] = importlib.import_module(f"functions.{function}.access").CALLS
    return calls


@pytest.mark.parametrize("function", FUNCTIONS)
def test_every_call_the_code_makes_is_declared(function: str) -> None:
    """The IAM action of every boto3 operation the function can invoke is declared."""
    code = {action for call in operations_of(function) for action in iam_actions(call)}
    declared = {call.action for call in _declared(function)}
    assert code - declared == set(), f"functions/{function}/access.py misses {code - declared}"
    assert declared - code == set(), f"functions/{function}/access.py declares {declared - code}"


def test_the_functions_are_found() -> None:
    """The scan sees the platform's functions (it cannot pass by finding none)."""
    assert {"object_tagger", "tag_audit", "start_transfer", "ebs_reaper"} <= set(FUNCTIONS)


def test_a_new_boto3_call_is_found(tmp_path: Path) -> None:
    """A new adapter call in a method the function uses shows up, mapped to its IAM action."""
    package = tmp_path / "demo"
    package.mkdir()
    (package / "adapter.py").write_text(
        "class BucketAdapter:\n"
        "    def __init__(self, client):\n"
        "        self._client = client\n"
        "    def drop(self, bucket):\n"
        "        self._client.delete_bucket(Bucket=bucket)\n"
        "    def unused(self, bucket):\n"
        "        self._client.delete_bucket_policy(Bucket=bucket)\n",
        encoding="utf-8",
    )
    (package / "handler.py").write_text(
        "import boto3\n"
        "from functions.demo.adapter import BucketAdapter\n"
        "_s3 = BucketAdapter(boto3.client('s3'))\n"
        "def lambda_handler(event, context):\n"
        "    _s3.drop(event['bucket'])\n",
        encoding="utf-8",
    )
    found = operations_of("demo", root=tmp_path)
    assert found == {BotoCall("s3", "delete_bucket")}
    assert iam_actions(BotoCall("s3", "delete_bucket")) == ("s3:DeleteBucket",)


def test_operations_authorized_under_another_name_map_to_it() -> None:
    """ListObjectsV2 is authorized as s3:ListBucket, Step Functions as `states:`."""
    assert iam_actions(BotoCall("s3", "list_objects_v2")) == ("s3:ListBucket",)
    assert iam_actions(BotoCall("stepfunctions", "start_execution")) == ("states:StartExecution",)
    assert iam_actions(BotoCall("sts", "get_caller_identity")) == ()

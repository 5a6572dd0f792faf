"""Look up, in a rendered stack, the documents an IAM decision needs, and decide requests."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any

from tests.support.harness import Registered
from tests.support.iam_eval import Decision, Request, evaluate
from tools.preview.mocks import MOCK_ACCOUNT_ID

__all__ = ["StackAccess"]

_TLS_CONTEXT: Mapping[str, str] = {"aws:SecureTransport": "true", "s3:TlsVersion": "1.3"}


class StackAccess:
    """Decides S3 requests of the stack's own roles against its rendered policies."""

    def __init__(self, stack: Registered) -> None:
        self._stack = stack

    def role_arn(self, role_name: str) -> str:
        """ARN of the role the stack creates under `role_name` (fails when it creates none)."""
        roles = [
            r for r in self._stack.of_type("aws:iam/role:Role") if r.inputs.get("name") == role_name
        ]
        assert len(roles) == 1, f"the stack creates no role named {role_name}"
        return f"arn:aws:iam::{MOCK_ACCOUNT_ID}:role/{role_name}"

    def identity_policies(self, role_name: str) -> list[dict[str, Any]]:
        """Inline policies of `role_name` (RolePolicy resources naming the role)."""
        found = [
            json.loads(p.inputs["policy"])
            for p in self._stack.of_type("aws:iam/rolePolicy:RolePolicy")
            if p.inputs.get("role") == role_name
        ]
        assert found, f"role {role_name} has no inline policy"
        return found

    def bucket_policy(self, bucket: str) -> dict[str, Any]:
        """The bucket policy of `bucket`."""
        found = [
            p
            for p in self._stack.of_type("aws:s3/bucketPolicy:BucketPolicy")
            if p.inputs.get("bucket") == bucket
        ]
        assert len(found) == 1, f"bucket {bucket} has {len(found)} policies"
        document: dict[str, Any] = json.loads(found[0].inputs["policy"])
        return document

    def decide(
        self,
        role_name: str,
        action: str,
        bucket: str,
        key: str,
        *,
        context: Mapping[str, str | Sequence[str]] | None = None,
        principal_tags: Mapping[str, str] | None = None,
    ) -> Decision:
        """The decision for `role_name` doing `action` on object `key` of `bucket`."""
        arn = self.role_arn(role_name)
        request = Request(
            principal_arn=arn,
            action=action,
            resource=f"arn:aws:s3:::{bucket}/{key}",
            context={**_TLS_CONTEXT, "aws:PrincipalArn": arn, **(context or {})},
            principal_tags=principal_tags or {},
        )
        return evaluate(
            request,
            identity_policies=self.identity_policies(role_name),
            resource_policies=[self.bucket_policy(bucket)],
        )

"""The `make access` engine for tests: decide requests over a rendered stack's documents.

Requests go to `tools.access` (the real IAM engine, @cloud-copilot/iam-simulate, with every
identity, resource and trust policy the stack renders), so a test and `make access` can never
disagree on how IAM decides. `access_documents` collects a stack once per session; the
`stack_access` fixture in tests/conftest.py hands one to a test.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from tools.access.engine import Request, evaluate
from tools.access.stack import StackDocuments, collect
from tools.preview.stack_config import load_stack_config

__all__ = ["StackAccess", "access_documents"]

_TLS_CONTEXT: Mapping[str, str] = {"aws:SecureTransport": "true", "s3:TlsVersion": "1.3"}

_DOCUMENTS: dict[str, StackDocuments] = {}


def access_documents(stack: str) -> StackDocuments:
    """The access documents of `stack` (rendered under the preview's mocks), once a session."""
    if stack not in _DOCUMENTS:
        # The whole-stack tests' own rendering, shared rather than run twice.
        from tests.support.stack import ROOT, rendered_run

        _DOCUMENTS[stack] = collect(rendered_run(stack), load_stack_config(ROOT, stack))
    return _DOCUMENTS[stack]


class StackAccess:
    """Decides requests of the stack's own roles with the stack's rendered policies."""

    def __init__(self, documents: StackDocuments) -> None:
        self.documents = documents

    def role_arn(self, role_name: str) -> str:
        """ARN of the role the stack creates under `role_name` (fails when it creates none)."""
        return self.documents.role_named(role_name).arn

    def identity_policies(self, role_name: str) -> list[dict[str, Any]]:
        """The documents of `role_name`'s own (inline and customer-managed) policies."""
        role = self.documents.role_named(role_name)
        found = [
            self.documents.policies[p]
            for p in role.policies
            if "managed" not in self.documents.policies[p]
        ]
        assert found, f"role {role_name} has no policy of its own"
        return found

    def bucket_policy(self, bucket: str) -> dict[str, Any]:
        """The bucket policy of `bucket`."""
        policy = self.documents.resource_policy_for(f"arn:aws:s3:::{bucket}")
        assert policy is not None, f"bucket {bucket} has no policy"
        document: dict[str, Any] = self.documents.policies[policy]
        return document

    def decide_arn(
        self,
        role_name: str,
        action: str,
        resource: str,
        *,
        context: Mapping[str, str | Sequence[str]] | None = None,
        principal_tags: Mapping[str, str] | None = None,
    ) -> str:
        """`Allowed`, `ExplicitlyDenied` or `ImplicitlyDenied` for a session of `role_name`."""
        role = self.documents.role_named(role_name)
        account = self.documents.account
        full: dict[str, str | list[str]] = {
            "aws:PrincipalArn": role.arn,
            "aws:PrincipalAccount": account,
            "aws:PrincipalType": "AssumedRole",
            **{f"aws:PrincipalTag/{k}": v for k, v in (principal_tags or {}).items()},
        }
        for key, value in (context or {}).items():
            full[key] = value if isinstance(value, str) else list(value)
        request = Request(
            principal=f"arn:aws:sts::{account}:assumed-role/{role.name}/test",
            action=action,
            resource=resource,
            account=account,
            context=full,
            identity_policies=role.policies,
            resource_policy=self.documents.resource_policy_for(resource),
        )
        return evaluate(self.documents.policies, [request])[0].result

    def decide(
        self,
        role_name: str,
        action: str,
        bucket: str,
        key: str,
        *,
        context: Mapping[str, str | Sequence[str]] | None = None,
        principal_tags: Mapping[str, str] | None = None,
    ) -> str:
        """The decision for `role_name` doing `action` on object `key` of `bucket` over TLS."""
        return self.decide_arn(
            role_name,
            action,
            f"arn:aws:s3:::{bucket}/{key}",
            context={**_TLS_CONTEXT, **(context or {})},
            principal_tags=principal_tags,
        )

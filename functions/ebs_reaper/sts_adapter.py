"""Which account the reaper's credentials belong to (STS GetCallerIdentity).

GetCallerIdentity needs no IAM permission, so this check cannot be switched off by a policy.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from botocore.exceptions import BotoCoreError, ClientError

from functions.ebs_reaper.aws_types import IdentityError

if TYPE_CHECKING:
    from mypy_boto3_sts import STSClient

__all__ = ["StsAdapter"]


class StsAdapter:
    """`functions.ebs_reaper.core.CallerIdentity` over one STS client."""

    def __init__(self, client: STSClient) -> None:
        self._client = client

    def account_id(self) -> str:
        """The 12-digit account id of the caller."""
        try:
            return self._client.get_caller_identity()["Account"]
        except (ClientError, BotoCoreError) as error:
            raise IdentityError(f"GetCallerIdentity failed: {error}") from error

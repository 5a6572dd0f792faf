"""The one place functions talk to Step Functions: starting the fan-out; errors → FanOutError."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import TYPE_CHECKING

from botocore.exceptions import BotoCoreError, ClientError

from functions.common.fanout import FanOutError

if TYPE_CHECKING:
    from mypy_boto3_stepfunctions import SFNClient

__all__ = ["StatesAdapter"]


class StatesAdapter:
    """StartExecution of one state machine over one Step Functions client."""

    def __init__(self, client: SFNClient, state_machine_arn: str) -> None:
        self._client = client
        self._arn = state_machine_arn

    def start(self, name: str, payload: Mapping[str, str]) -> str:
        """Start an execution named `name` with `payload` as input; returns its ARN."""
        try:
            response = self._client.start_execution(
                stateMachineArn=self._arn, name=name, input=json.dumps(dict(payload))
            )
        except ClientError as error:
            code = str(error.response.get("Error", {}).get("Code", ""))
            raise FanOutError(
                f"StartExecution {name} on {self._arn} failed: {code or 'error'}: {error}",
                code=code,
            ) from error
        except BotoCoreError as error:
            raise FanOutError(
                f"StartExecution {name} on {self._arn} failed: {error}", code=type(error).__name__
            ) from error
        return response["executionArn"]

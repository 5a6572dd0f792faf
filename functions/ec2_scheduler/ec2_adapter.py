"""The one place the scheduler talks to EC2: paginated listing, stop and start.

Failures become the domain errors of `functions.ec2_scheduler.aws_types`, so the core never
sees a `ClientError`.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING, Final

from botocore.exceptions import BotoCoreError, ClientError

from functions.ec2_scheduler.aws_types import (
    Ec2Error,
    Instance,
    InstanceNotFoundError,
    InstanceStateError,
    StopProtectedError,
)

if TYPE_CHECKING:
    from mypy_boto3_ec2 import EC2Client
    from mypy_boto3_ec2.type_defs import InstanceStateChangeTypeDef, InstanceTypeDef

__all__ = ["PAGE_SIZE", "Ec2Adapter"]

PAGE_SIZE: Final = 1000
"""DescribeInstances' maximum page size."""
_ERRORS: Final[dict[str, type[Ec2Error]]] = {
    "InvalidInstanceID.NotFound": InstanceNotFoundError,
    "IncorrectInstanceState": InstanceStateError,
    "OperationNotPermitted": StopProtectedError,
}


def _domain_error(error: ClientError | BotoCoreError, action: str) -> Ec2Error:
    if isinstance(error, BotoCoreError):
        return Ec2Error(f"{action} failed: {error}", code=type(error).__name__)
    code = str(error.response.get("Error", {}).get("Code", ""))
    return _ERRORS.get(code, Ec2Error)(f"{action} failed: {code or 'error'}: {error}", code=code)


def _instance(item: InstanceTypeDef) -> Instance:
    return Instance(
        instance_id=item["InstanceId"],
        state=item.get("State", {}).get("Name", "unknown"),
        tags={tag["Key"]: tag["Value"] for tag in item.get("Tags", [])},
        lifecycle=item.get("InstanceLifecycle", "normal"),
    )


def _new_state(changes: list[InstanceStateChangeTypeDef], instance_id: str) -> str:
    for change in changes:
        if change.get("InstanceId") == instance_id:
            return change.get("CurrentState", {}).get("Name", "unknown")
    return "unknown"


class Ec2Adapter:
    """The operations of `functions.ec2_scheduler.core.Ec2Instances` over one EC2 client."""

    def __init__(self, client: EC2Client, *, page_size: int = PAGE_SIZE) -> None:
        self._client = client
        self._page_size = page_size

    def iter_opted_in(self, opt_in_tag_key: str, state: str) -> Iterator[Instance]:
        """Instances in `state` that carry the opt-in tag key (any value), page by page.

        The value is checked by the core, not by the filter, so an instance tagged `True` or
        `false` is still seen and reported rather than silently ignored.
        """
        paginator = self._client.get_paginator("describe_instances")
        pages = paginator.paginate(
            Filters=[
                {"Name": "instance-state-name", "Values": [state]},
                {"Name": "tag-key", "Values": [opt_in_tag_key]},
            ],
            PaginationConfig={"PageSize": self._page_size},
        )
        try:
            for page in pages:
                for reservation in page.get("Reservations", []):
                    for item in reservation.get("Instances", []):
                        yield _instance(item)
        except (ClientError, BotoCoreError) as error:
            raise _domain_error(error, "DescribeInstances") from error

    def stop(self, instance_id: str) -> str:
        """Stop one instance; returns the state EC2 reports right after (`stopping`)."""
        try:
            response = self._client.stop_instances(InstanceIds=[instance_id])
        except (ClientError, BotoCoreError) as error:
            raise _domain_error(error, f"StopInstances {instance_id}") from error
        return _new_state(response.get("StoppingInstances", []), instance_id)

    def start(self, instance_id: str) -> str:
        """Start one instance; returns the state EC2 reports right after (`pending`)."""
        try:
            response = self._client.start_instances(InstanceIds=[instance_id])
        except (ClientError, BotoCoreError) as error:
            raise _domain_error(error, f"StartInstances {instance_id}") from error
        return _new_state(response.get("StartingInstances", []), instance_id)

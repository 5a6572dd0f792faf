"""What the scheduler knows about EC2 instances and EC2 failures, without importing boto3."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType

__all__ = [
    "Ec2Error",
    "Instance",
    "InstanceNotFoundError",
    "InstanceStateError",
    "StopProtectedError",
]


@dataclass(frozen=True, slots=True)
class Instance:
    """One EC2 instance as DescribeInstances reports it."""

    instance_id: str
    state: str
    tags: Mapping[str, str]
    lifecycle: str = "normal"
    """`spot`, `scheduled`, `capacity-block`, or `normal` when EC2 reports none."""

    def __post_init__(self) -> None:
        object.__setattr__(self, "tags", MappingProxyType(dict(self.tags)))

    @property
    def name(self) -> str:
        """The `Name` tag, or empty: summaries show it so people recognise their machines."""
        return self.tags.get("Name", "")


class Ec2Error(RuntimeError):
    """An EC2 request failed; `code` is EC2's error code when EC2 answered."""

    def __init__(self, message: str, *, code: str = "") -> None:
        super().__init__(message)
        self.code = code


class InstanceNotFoundError(Ec2Error):
    """The instance no longer exists (terminated between listing and acting)."""


class InstanceStateError(Ec2Error):
    """EC2 refused because the instance changed state in between (`IncorrectInstanceState`)."""


class StopProtectedError(Ec2Error):
    """The instance has stop protection (`OperationNotPermitted`): someone said do not stop it."""

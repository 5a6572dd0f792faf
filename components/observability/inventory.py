"""What the stack registers that an alarm must watch: every Lambda function and SQS queue.

Listing functions by hand in the composition layer is how three of them (EBS reaper, EC2
scheduler, scratch clean-up) once went without Errors/Throttles alarms. The inventory instead
observes every resource the program constructs, through a stack transformation that Pulumi
applies synchronously in each resource's constructor, and records the physical names that
CloudWatch dimensions need (`FunctionName`, `QueueName`) and the reserved concurrency the
account quota must cover. A function or queue added anywhere in the program is watched without
anyone remembering to wire it.

Install it before the first resource is constructed and read it after the last one that should
be watched (the Observability component reads it while creating its alarms).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Final

import pulumi

from contracts.facts import UNRESERVED_CONCURRENCY_MINIMUM

__all__ = [
    "LAMBDA_FUNCTION_TYPE",
    "SQS_QUEUE_TYPE",
    "StackInventory",
    "WatchedFunction",
]

LAMBDA_FUNCTION_TYPE: Final = "aws:lambda/function:Function"
SQS_QUEUE_TYPE: Final = "aws:sqs/queue:Queue"


@dataclass(frozen=True, slots=True)
class WatchedFunction:
    """A Lambda function as its alarms need it."""

    name: str
    """Physical name: the `FunctionName` dimension of AWS/Lambda metrics."""
    reserved_concurrency: int
    """Reserved concurrent executions; 0 when the function reserves none."""


def _plain_name(props: Mapping[str, object], type_: str, logical: str) -> str:
    name = props.get("name")
    if not isinstance(name, str) or not name:
        raise ValueError(
            f"{type_} {logical!r} must be given a plain-string physical name: its alarms name "
            "it in CloudWatch dimensions before it exists (set `name=` on the resource)"
        )
    return name


class StackInventory:
    """Every Lambda function and SQS queue constructed after `install()`."""

    def __init__(self) -> None:
        self._functions: dict[str, WatchedFunction] = {}
        self._queues: list[str] = []

    def install(self) -> None:
        """Observe every resource constructed from now on in this stack."""
        pulumi.runtime.register_stack_transformation(self._observe)

    def _observe(
        self, args: pulumi.ResourceTransformationArgs
    ) -> pulumi.ResourceTransformationResult | None:
        if args.type_ == LAMBDA_FUNCTION_TYPE:
            name = _plain_name(args.props, args.type_, args.name)
            reserved = args.props.get("reserved_concurrent_executions")
            self._functions[name] = WatchedFunction(
                name, reserved if isinstance(reserved, int) and reserved > 0 else 0
            )
        elif args.type_ == SQS_QUEUE_TYPE:
            self._queues.append(_plain_name(args.props, args.type_, args.name))
        return None  # observe only: the resource is registered unchanged

    @property
    def functions(self) -> tuple[WatchedFunction, ...]:
        """Functions seen so far, in construction order."""
        return tuple(self._functions.values())

    @property
    def queue_names(self) -> tuple[str, ...]:
        """Queues seen so far. Every queue of the platform is a failure (dead-letter) queue."""
        return tuple(self._queues)

    @property
    def reserved_concurrency(self) -> int:
        """Concurrency the stack's functions reserve out of the account's quota."""
        return sum(function.reserved_concurrency for function in self._functions.values())

    def concurrency_needed(self) -> int:
        """The account concurrency quota the stack needs: its reservations plus Lambda's
        unreserved minimum."""
        return self.reserved_concurrency + UNRESERVED_CONCURRENCY_MINIMUM

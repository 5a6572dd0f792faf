"""Stop opted-in test instances after testing hours, start them again before.

An instance is acted on only when all of these hold:

- it carries the opt-in tag with the value `true` (OPT_IN_TAG_KEY; any case);
- it is in the state the action starts from (`running` to stop, `stopped` to start);
- no Auto Scaling group, EKS node group, Kubernetes cluster, Karpenter, EC2/Spot Fleet or EMR
  manages it (`MANAGED_TAG_KEYS`, `MANAGED_TAG_PREFIXES`): stopping such an instance makes its
  manager replace it (or fails a node out of a cluster), so the tag cannot be trusted there;
- for `stop`, it does not carry the keep-running tag, whatever its value (even `false`): the
  IAM policy denies StopInstances whenever the key exists, and the code means the same thing,
  so a person keeps one test machine up overnight without removing it from the schedule.

The function keeps its own clock: a `stop` inside testing hours (`TestingHours`, in the stack's
time zone) is refused before anything is listed, whoever sent the event and however late it
arrived. Only an event that says `"force": true` stops then, and the report says it was forced.

Everything else that was opted in is reported as skipped with the reason. An instance that
changes state between listing and the request (`IncorrectInstanceState`), disappears, or has
stop protection is a skip too; any other EC2 failure is an error, and the run goes on.

Dry run: nothing is stopped or started; the report says what would have been (EC2's own
DryRun flag is not used: it only checks permissions).

Pure orchestration: EC2 comes in as a Protocol, so tests pass in-memory fakes.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Final, Protocol

from functions.common.ports import COUNT, MetricSink
from functions.ec2_scheduler.aws_types import (
    Ec2Error,
    Instance,
    InstanceNotFoundError,
    InstanceStateError,
    StopProtectedError,
)
from functions.ec2_scheduler.config import Action, SchedulerConfig
from functions.ec2_scheduler.event import ScheduleRequest

__all__ = [
    "FROM_STATE",
    "MANAGED_TAG_KEYS",
    "MANAGED_TAG_PREFIXES",
    "Ec2Instances",
    "ScheduleReport",
    "Skipped",
    "Touched",
    "manager_of",
    "record_metrics",
    "run_schedule",
]

FROM_STATE: Final = {Action.STOP: "running", Action.START: "stopped"}
"""The state an instance must be in for the action to apply to it."""

MANAGED_TAG_KEYS: Final = {
    "aws:autoscaling:groupName": "an Auto Scaling group",
    "eks:nodegroup-name": "an EKS node group",
    "eks:cluster-name": "an EKS cluster",
    "aws:eks:cluster-name": "an EKS cluster",
    "karpenter.sh/nodepool": "Karpenter",
    "karpenter.sh/provisioner-name": "Karpenter",
    "aws:ec2spot:fleet-request-id": "a Spot Fleet",
    "aws:ec2:fleet-id": "an EC2 Fleet",
    "aws:elasticmapreduce:job-flow-id": "an EMR cluster",
}
"""Tags whose presence means something else owns the instance's lifecycle."""
MANAGED_TAG_PREFIXES: Final = {"kubernetes.io/cluster/": "a Kubernetes cluster"}
_MAX_LINES: Final = 300


class Ec2Instances(Protocol):
    """The EC2 operations used (`functions.ec2_scheduler.ec2_adapter.Ec2Adapter`)."""

    def iter_opted_in(self, opt_in_tag_key: str, state: str) -> Iterator[Instance]: ...

    def stop(self, instance_id: str) -> str: ...

    def start(self, instance_id: str) -> str: ...


@dataclass(frozen=True, slots=True)
class Touched:
    """An instance stopped or started (or that would have been, in a dry run)."""

    instance_id: str
    name: str
    new_state: str = ""


@dataclass(frozen=True, slots=True)
class Skipped:
    """An opted-in instance left as it was, and why."""

    instance_id: str
    name: str
    reason: str


@dataclass(slots=True)
class ScheduleReport:
    """What one run saw and did."""

    action: Action
    dry_run: bool
    touched: list[Touched] = field(default_factory=list)
    would_touch: list[Touched] = field(default_factory=list)
    skipped: list[Skipped] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    listing_complete: bool = True
    refused: str = ""
    """Why the whole run was refused (a stop inside testing hours); nothing was touched."""
    forced: str = ""
    """Set when the event forced a stop inside testing hours: the moment and the window."""

    @property
    def verb(self) -> str:
        """`stopped` or `started`."""
        return "stopped" if self.action is Action.STOP else "started"

    def subject(self) -> str:
        """A one-line SNS subject with the counts."""
        mode = " (dry run)" if self.dry_run else ""
        if self.refused:
            return f"EC2 test hours {self.action.value}{mode} REFUSED: inside testing hours"
        if self.forced:
            mode += " FORCED inside testing hours"
        if self.dry_run:
            acted = f"{len(self.would_touch)} would be {self.verb}"
        else:
            acted = f"{len(self.touched)} {self.verb}"
        errors = f", {len(self.errors)} ERRORS" if self.errors else ""
        return (
            f"EC2 test hours {self.action.value}{mode}: {acted}, "
            f"{len(self.skipped)} skipped{errors}"
        )

    def message(self) -> str:
        """The SNS body: one line per instance, grouped by outcome."""

        def label(instance_id: str, name: str) -> str:
            return f"{instance_id} ({name})" if name else instance_id

        lines = [
            f"EC2 test-hours scheduler, action {self.action.value}"
            + (" — DRY RUN, nothing was changed" if self.dry_run else "")
        ]
        if self.refused:
            lines.append(
                f"REFUSED, no instance was touched: {self.refused}. Send "
                '{"action": "stop", "force": true} to stop inside testing hours on purpose.'
            )
        if self.forced:
            lines.append(f"FORCED by the event inside testing hours: {self.forced}.")
        if not self.listing_complete:
            lines.append("Listing instances FAILED part-way; instances not seen were left alone.")
        sections = [
            ("Errors", list(self.errors)),
            (f"Would be {self.verb}", [label(t.instance_id, t.name) for t in self.would_touch]),
            (
                self.verb.capitalize(),
                [f"{label(t.instance_id, t.name)} → {t.new_state}" for t in self.touched],
            ),
            ("Skipped", [f"{label(s.instance_id, s.name)}: {s.reason}" for s in self.skipped]),
        ]
        for title, entries in sections:
            if entries:
                lines += ["", f"{title} ({len(entries)}):"]
                lines += [f"- {entry}" for entry in entries[:_MAX_LINES]]
                if len(entries) > _MAX_LINES:
                    lines.append(f"- … and {len(entries) - _MAX_LINES} more")
        return "\n".join(lines)

    def as_dict(self) -> dict[str, object]:
        """The handler's return value and log record."""
        return {
            "action": self.action.value,
            "dryRun": self.dry_run,
            self.verb: [t.instance_id for t in self.touched],
            f"wouldBe{self.verb.capitalize()}": [t.instance_id for t in self.would_touch],
            "skipped": [{"instanceId": s.instance_id, "reason": s.reason} for s in self.skipped],
            "errors": list(self.errors),
            "listingComplete": self.listing_complete,
            "refused": self.refused,
            "forced": self.forced,
        }


def manager_of(tags: Mapping[str, str]) -> str | None:
    """Who manages the instance's lifecycle, as `<manager> (<tag>)`, or None."""
    for key in sorted(tags):
        if key in MANAGED_TAG_KEYS:
            return f"{MANAGED_TAG_KEYS[key]} ({key}={tags[key]})"
        for prefix, manager in MANAGED_TAG_PREFIXES.items():
            if key.startswith(prefix):
                return f"{manager} ({key})"
    return None


def _skip_reason(
    instance: Instance, action: Action, config: SchedulerConfig, expected_state: str
) -> str | None:
    if instance.state != expected_state:
        return f"state is {instance.state}, not {expected_state}"
    opt_in = instance.tags.get(config.opt_in_tag_key)
    if opt_in is None or opt_in.strip().lower() != "true":
        return f"{config.opt_in_tag_key} is {opt_in!r}, not 'true'"
    manager = manager_of(instance.tags)
    if manager is not None:
        return f"managed by {manager}"
    keep = instance.tags.get(config.keep_running_tag_key)
    if action is Action.STOP and keep is not None:
        return f"{config.keep_running_tag_key}={keep} (any value keeps it running)"
    return None


def run_schedule(
    request: ScheduleRequest, *, config: SchedulerConfig, ec2: Ec2Instances, now: datetime
) -> ScheduleReport:
    """Apply the request's action to every eligible opted-in instance; never raises Ec2Error.

    `now` (timezone-aware) is the function's own clock: a `stop` inside testing hours is
    refused, without a single EC2 call, unless the request is forced.
    """
    action = request.action
    report = ScheduleReport(action=action, dry_run=config.dry_run or request.force_dry_run)
    hours = config.testing_hours
    if action is Action.STOP and hours.contains(now):
        if not request.force:
            report.refused = hours.describe(now)
            return report
        report.forced = hours.describe(now)
    expected_state = FROM_STATE[action]
    try:
        for instance in ec2.iter_opted_in(config.opt_in_tag_key, expected_state):
            reason = _skip_reason(instance, action, config, expected_state)
            if reason is not None:
                report.skipped.append(Skipped(instance.instance_id, instance.name, reason))
            elif report.dry_run:
                report.would_touch.append(Touched(instance.instance_id, instance.name))
            else:
                _act(report, ec2, instance)
    except Ec2Error as error:
        report.listing_complete = False
        report.errors.append(f"listing instances failed part-way: {error}")
    return report


def _act(report: ScheduleReport, ec2: Ec2Instances, instance: Instance) -> None:
    iid, name = instance.instance_id, instance.name
    try:
        new_state = ec2.stop(iid) if report.action is Action.STOP else ec2.start(iid)
    except InstanceStateError as error:
        report.skipped.append(Skipped(iid, name, f"state changed meanwhile ({error.code})"))
    except InstanceNotFoundError:
        report.skipped.append(Skipped(iid, name, "gone meanwhile"))
    except StopProtectedError:
        report.skipped.append(Skipped(iid, name, "stop protection is on"))
    except Ec2Error as error:
        report.errors.append(f"{iid}: {report.action.value} failed: {error}")
    else:
        report.touched.append(Touched(iid, name, new_state))


def record_metrics(report: ScheduleReport, metrics: MetricSink) -> None:
    """EMF counts per outcome."""
    values = {
        "InstancesActedOn": len(report.touched),
        "InstancesWouldActOn": len(report.would_touch),
        "InstancesSkipped": len(report.skipped),
        "SchedulerErrors": len(report.errors),
        "StopsRefused": int(bool(report.refused)),
        "StopsForced": int(bool(report.forced)),
    }
    for name, value in values.items():
        metrics.add_metric(name=name, unit=COUNT, value=value)

"""The scheduler's decisions on an in-memory EC2, one behaviour per test."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from datetime import UTC, datetime

import pytest

from functions.ec2_scheduler.aws_types import (
    Ec2Error,
    Instance,
    InstanceNotFoundError,
    InstanceStateError,
    StopProtectedError,
)
from functions.ec2_scheduler.config import Action, SchedulerConfig, load_config
from functions.ec2_scheduler.core import (
    MANAGED_TAG_KEYS,
    ScheduleReport,
    manager_of,
    run_schedule,
)
from functions.ec2_scheduler.event import ScheduleRequest
from tests.functions.common.fakes import FakeMetrics

OPT_IN = "schedule:test-hours"
KEEP = "schedule:keep-running"
ENV = {
    "DRY_RUN": "false",
    "TOPIC_ARN": "arn:aws:sns:ap-south-1:123456789012:ops",
    "TIME_ZONE": "Asia/Kolkata",
    "TESTING_HOURS_START": "09:00",
    "TESTING_HOURS_END": "19:00",
}
EVENING: datetime = datetime(2026, 3, 4, 13, 31, tzinfo=UTC)
"""Wednesday 19:01 in Kolkata (UTC+05:30): just after testing hours."""
AFTERNOON: datetime = datetime(2026, 3, 4, 8, 30, tzinfo=UTC)
"""Wednesday 14:00 in Kolkata: inside testing hours."""


def config(**overrides: str) -> SchedulerConfig:
    return load_config({**ENV, **overrides})


def instance(iid: str, state: str = "running", **tags: str) -> Instance:
    return Instance(iid, state, {OPT_IN: "true", **tags})


class FakeInstances:
    """Instances by id; stop/start change state; `calls` records requests in order."""

    def __init__(self, instances: list[Instance]) -> None:
        self.instances = {i.instance_id: i for i in instances}
        self.calls: list[tuple[str, str]] = []
        self.failures: dict[str, Ec2Error] = {}

    def iter_opted_in(self, opt_in_tag_key: str, state: str) -> Iterator[Instance]:
        for iid in sorted(self.instances):
            item = self.instances[iid]
            if item.state == state and opt_in_tag_key in item.tags:
                yield item

    def _change(self, iid: str, operation: str, new_state: str) -> str:
        self.calls.append((operation, iid))
        if iid in self.failures:
            raise self.failures[iid]
        old = self.instances[iid]
        self.instances[iid] = Instance(iid, new_state, old.tags)
        return new_state

    def stop(self, instance_id: str) -> str:
        return self._change(instance_id, "stop", "stopping")

    def start(self, instance_id: str) -> str:
        return self._change(instance_id, "start", "pending")


def run(
    ec2: FakeInstances,
    action: Action = Action.STOP,
    cfg: SchedulerConfig | None = None,
    *,
    now: datetime = EVENING,
    force: bool = False,
) -> ScheduleReport:
    request = ScheduleRequest(action, force=force)
    return run_schedule(request, config=cfg or config(), ec2=ec2, now=now)


def reasons(report: ScheduleReport) -> Mapping[str, str]:
    return {s.instance_id: s.reason for s in report.skipped}


def test_opted_in_running_instance_is_stopped() -> None:
    """An instance tagged `schedule:test-hours=true` is stopped and reported."""
    ec2 = FakeInstances([instance("i-1", Name="bwa-test")])
    report = run(ec2)
    assert ec2.calls == [("stop", "i-1")]
    assert report.touched[0].name == "bwa-test"
    assert report.subject() == "EC2 test hours stop: 1 stopped, 0 skipped"


@pytest.mark.parametrize("tag", [*sorted(MANAGED_TAG_KEYS), "kubernetes.io/cluster/genomics"])
def test_managed_instances_are_never_stopped(tag: str) -> None:
    """ASG, EKS, Kubernetes, Karpenter, fleet and EMR instances are skipped even if opted in."""
    ec2 = FakeInstances([instance("i-1", **{tag: "owned"})])
    report = run(ec2)
    assert ec2.calls == []
    assert reasons(report)["i-1"].startswith("managed by")


def test_managed_instances_are_never_started() -> None:
    """The morning start leaves a stopped node-group instance to its manager."""
    ec2 = FakeInstances([instance("i-1", "stopped", **{"eks:nodegroup-name": "ng"})])
    run(ec2, Action.START)
    assert ec2.calls == []


@pytest.mark.parametrize("value", ["until friday", "false", ""])
def test_keep_running_tag_is_honoured_on_stop_whatever_its_value(value: str) -> None:
    """`schedule:keep-running` with any value, `false` included, keeps an opted-in instance
    up: the IAM policy denies the stop whenever the key exists, and the code agrees."""
    ec2 = FakeInstances([instance("i-1", **{KEEP: value})])
    report = run(ec2)
    assert ec2.calls == []
    assert reasons(report) == {"i-1": f"{KEEP}={value} (any value keeps it running)"}


def test_stop_inside_testing_hours_is_refused_before_listing() -> None:
    """A stop at 14:00 on a Wednesday is refused: nothing listed, nothing stopped, and the
    report names the local time and the window."""
    ec2 = FakeInstances([instance("i-1")])
    report = run(ec2, now=AFTERNOON)
    assert ec2.calls == []
    assert report.touched == []
    assert report.skipped == []
    assert report.refused == "Wed 14:00 Asia/Kolkata; testing hours are Mon-Fri 09:00-19:00"
    assert report.subject() == "EC2 test hours stop REFUSED: inside testing hours"


def test_forced_stop_inside_testing_hours_stops_and_says_so() -> None:
    """`force` lets the stop through inside testing hours; the report marks it forced."""
    ec2 = FakeInstances([instance("i-1")])
    report = run(ec2, now=AFTERNOON, force=True)
    assert ec2.calls == [("stop", "i-1")]
    assert report.forced.startswith("Wed 14:00 Asia/Kolkata")
    assert "FORCED" in report.subject()


@pytest.mark.parametrize(
    ("moment", "inside"),
    [
        (datetime(2026, 3, 4, 3, 29, tzinfo=UTC), False),  # Wed 08:59 local
        (datetime(2026, 3, 4, 3, 30, tzinfo=UTC), True),  # Wed 09:00 local: start counts
        (datetime(2026, 3, 4, 13, 29, tzinfo=UTC), True),  # Wed 18:59 local
        (datetime(2026, 3, 4, 13, 30, tzinfo=UTC), False),  # Wed 19:00 local: end does not
        (datetime(2026, 3, 7, 8, 30, tzinfo=UTC), False),  # Sat 14:00 local: not a testing day
    ],
)
def test_testing_hours_boundaries_in_the_stack_time_zone(moment: datetime, inside: bool) -> None:
    """The window is [start, end) on Monday to Friday, read in TIME_ZONE, not in UTC."""
    ec2 = FakeInstances([instance("i-1")])
    report = run(ec2, now=moment)
    assert bool(report.refused) is inside
    assert ec2.calls == ([] if inside else [("stop", "i-1")])


def test_without_a_start_time_the_window_opens_at_midnight() -> None:
    """With no TESTING_HOURS_START a weekday stop before the end is refused (the safer
    reading: it refuses more stops, never fewer)."""
    ec2 = FakeInstances([instance("i-1")])
    midnight_utc = datetime(2026, 3, 4, 0, 0, tzinfo=UTC)
    report = run(ec2, cfg=config(TESTING_HOURS_START=""), now=midnight_utc)
    assert report.refused.startswith("Wed 05:30 Asia/Kolkata")


def test_start_is_not_limited_by_testing_hours() -> None:
    """Starting inside testing hours is what the morning schedule does: never refused."""
    ec2 = FakeInstances([instance("i-1", "stopped")])
    report = run(ec2, Action.START, now=AFTERNOON)
    assert ec2.calls == [("start", "i-1")]
    assert report.refused == ""


@pytest.mark.parametrize("value", ["false", "yes", ""])
def test_opt_in_must_be_true(value: str) -> None:
    """Only the value `true` (any case) opts in; other values are reported as skipped."""
    ec2 = FakeInstances([Instance("i-1", "running", {OPT_IN: value})])
    report = run(ec2)
    assert ec2.calls == []
    assert "not 'true'" in reasons(report)["i-1"]


def test_opt_in_value_is_case_insensitive() -> None:
    """`True` opts in like `true`."""
    ec2 = FakeInstances([Instance("i-1", "running", {OPT_IN: "True"})])
    run(ec2)
    assert ec2.calls == [("stop", "i-1")]


def test_start_starts_stopped_opted_in_instances() -> None:
    """The morning action starts stopped opted-in instances, keep-running or not."""
    ec2 = FakeInstances([instance("i-1", "stopped"), instance("i-2", "stopped", **{KEEP: "x"})])
    report = run(ec2, Action.START)
    assert ec2.calls == [("start", "i-1"), ("start", "i-2")]
    assert [t.new_state for t in report.touched] == ["pending", "pending"]


def test_dry_run_calls_nothing_and_reports() -> None:
    """DRY_RUN=true stops nothing and lists what would have stopped."""
    ec2 = FakeInstances([instance("i-1")])
    report = run(ec2, cfg=config(DRY_RUN="true"))
    assert ec2.calls == []
    assert [t.instance_id for t in report.would_touch] == ["i-1"]
    assert report.subject() == "EC2 test hours stop (dry run): 1 would be stopped, 0 skipped"


def test_event_forced_dry_run_calls_nothing() -> None:
    """A request with force_dry_run overrides a non-dry-run configuration."""
    ec2 = FakeInstances([instance("i-1")])
    request = ScheduleRequest(Action.STOP, force_dry_run=True)
    run_schedule(request, config=config(), ec2=ec2, now=EVENING)
    assert ec2.calls == []


@pytest.mark.parametrize(
    ("error", "reason"),
    [
        (InstanceStateError("x", code="IncorrectInstanceState"), "state changed meanwhile"),
        (InstanceNotFoundError("x", code="InvalidInstanceID.NotFound"), "gone meanwhile"),
        (StopProtectedError("x", code="OperationNotPermitted"), "stop protection is on"),
    ],
)
def test_races_and_protection_are_skips(error: Ec2Error, reason: str) -> None:
    """A state change, disappearance or stop protection is a skip, and the run goes on."""
    ec2 = FakeInstances([instance("i-1"), instance("i-2")])
    ec2.failures["i-1"] = error
    report = run(ec2)
    assert reasons(report)["i-1"].startswith(reason)
    assert [t.instance_id for t in report.touched] == ["i-2"]
    assert report.errors == []


def test_other_errors_are_reported_and_the_run_goes_on() -> None:
    """An unexpected EC2 error is an error line; the next instance is still stopped."""
    ec2 = FakeInstances([instance("i-1"), instance("i-2")])
    ec2.failures["i-1"] = Ec2Error("boom", code="InternalError")
    report = run(ec2)
    assert len(report.errors) == 1
    assert "i-1" in report.errors[0]
    assert [t.instance_id for t in report.touched] == ["i-2"]
    assert "ERRORS" in report.subject()


def test_listing_failure_is_reported() -> None:
    """A listing failing part-way keeps what was done and says the listing was incomplete."""

    class Failing(FakeInstances):
        def iter_opted_in(self, opt_in_tag_key: str, state: str) -> Iterator[Instance]:
            yield from super().iter_opted_in(opt_in_tag_key, state)
            raise Ec2Error("throttled", code="RequestLimitExceeded")

    ec2 = Failing([instance("i-1")])
    report = run(ec2)
    assert [t.instance_id for t in report.touched] == ["i-1"]
    assert report.listing_complete is False
    assert "FAILED part-way" in report.message()


def test_manager_of_names_the_tag() -> None:
    """The skip reason names the manager and the tag that gave it away."""
    assert manager_of({"aws:autoscaling:groupName": "asg-1"}) == (
        "an Auto Scaling group (aws:autoscaling:groupName=asg-1)"
    )
    assert manager_of({"Name": "x"}) is None


def test_metrics_count_each_outcome() -> None:
    """EMF gets acted-on, skipped and error counts."""
    from functions.ec2_scheduler.core import record_metrics

    ec2 = FakeInstances([instance("i-1"), instance("i-2", **{KEEP: "x"})])
    metrics = FakeMetrics()
    record_metrics(run(ec2), metrics)
    assert (metrics.values["InstancesActedOn"], metrics.values["InstancesSkipped"]) == (1, 1)

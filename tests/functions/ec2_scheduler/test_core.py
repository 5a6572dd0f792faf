"""The scheduler's decisions on an in-memory EC2, one behaviour per test."""

from __future__ import annotations

from collections.abc import Iterator, Mapping

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
ENV = {"DRY_RUN": "false", "TOPIC_ARN": "arn:aws:sns:ap-south-1:123456789012:ops"}


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
    ec2: FakeInstances, action: Action = Action.STOP, cfg: SchedulerConfig | None = None
) -> ScheduleReport:
    return run_schedule(ScheduleRequest(action), config=cfg or config(), ec2=ec2)


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


def test_keep_running_tag_is_honoured_on_stop() -> None:
    """`schedule:keep-running` (any value but false) keeps an opted-in instance up."""
    ec2 = FakeInstances([instance("i-1", **{KEEP: "until friday"})])
    report = run(ec2)
    assert ec2.calls == []
    assert reasons(report) == {"i-1": f"{KEEP}=until friday"}


def test_keep_running_false_does_not_keep() -> None:
    """An explicit `false` on the keep-running tag does not protect the instance."""
    ec2 = FakeInstances([instance("i-1", **{KEEP: "false"})])
    run(ec2)
    assert ec2.calls == [("stop", "i-1")]


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
    run_schedule(ScheduleRequest(Action.STOP, force_dry_run=True), config=config(), ec2=ec2)
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

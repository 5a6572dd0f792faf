"""`docs/runbook.md`: what each alarm of prod and dev means and the first steps, from the stacks.

The alarms are read from the rendered stacks (the registrations `make preview` records), so a
new alarm appears in the runbook without anyone remembering to document it; each is filed
under the signal it watches (namespace and metric, or the metrics its query reads). A signal
with no entry below is an error naming the alarm, and `tests/tools/test_runbook.py` fails when
the committed file differs from what the stacks render.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final

__all__ = [
    "RUNBOOK_MD",
    "SIGNALS",
    "Signal",
    "UnknownSignalError",
    "main",
    "render_runbook",
    "signal_of",
]

ROOT: Final = Path(__file__).resolve().parents[1]
RUNBOOK_MD: Final = ROOT / "docs" / "runbook.md"
ALARM_TYPE: Final = "aws:cloudwatch/metricAlarm:MetricAlarm"


@dataclass(frozen=True, slots=True)
class Signal:
    """What a kind of alarm means and what an on-call engineer does first."""

    title: str
    meaning: str
    steps: tuple[str, ...]


class UnknownSignalError(ValueError):
    """An alarm watches a signal the runbook has no entry for."""


_LAMBDA_LOGS: Final = (
    "Read the function's log group: `aws logs tail /aws/lambda/<FunctionName> --since 1h "
    "--filter-pattern ERROR` (the dimension names the function)."
)
_K8S: Final = "From the in-VPC runner: `aws eks update-kubeconfig --name <ClusterName>`, then"

SIGNALS: Final[Mapping[str, Signal]] = {
    "AWS/S3 4xxErrors": Signal(
        "S3 requests refused (4xx)",
        "Clients of a data bucket are being refused: access denied by the ABAC conditions "
        "(object tags, session tags, TLS, encryption headers) or keys that do not exist.",
        (
            "Find the requester and key in the bucket's server access logs (the access-logs "
            "bucket, prefix named after the bucket): HTTP 403 or 404, with the requester ARN.",
            "For a 403, run `make access` and find the cell for that role and data store: a "
            "cell decided as intended means the request should be refused; tell the user "
            "which project role to assume.",
            "For a 404 burst, compare the keys with the last DataSync task report: a pipeline "
            "may read files that were never transferred.",
        ),
    ),
    "AWS/S3 5xxErrors": Signal(
        "S3 server errors (5xx)",
        "S3 answered requests with server errors, usually 503 SlowDown: one prefix is taking "
        "more requests per second than S3 scales to at once.",
        (
            "Check the AWS Health Dashboard for S3 in the bucket's region.",
            "Find the hot prefix and requester in the server access logs (status 503); spread "
            "the work over prefixes or lower the client's concurrency.",
            "The platform's functions retry with backoff (botocore standard mode); confirm "
            "their Errors alarms stayed quiet.",
        ),
    ),
    "AWS/S3 ReplicationLatency": Signal(
        "Replication to Hyderabad is late",
        "Objects take longer than the replication time objective to reach their replica in "
        "ap-south-2, so the recovery copy lags behind Mumbai.",
        (
            "A large DataSync run can raise latency for its duration; check whether one "
            "finished in the last hour before acting.",
            "Check that ap-south-2 is enabled (`aws account get-region-opt-status "
            "--region-name ap-south-2`) and that the DR key is enabled there.",
            "If it persists, look for failed objects (the failed-replication alarm of the same "
            "bucket) and open an AWS support case quoting the replication rule id.",
        ),
    ),
    "AWS/S3 OperationsFailedReplication": Signal(
        "Objects failed to replicate",
        "Some objects will not reach their replica on their own: the recovery copy is "
        "missing them.",
        (
            "Read the failure reason from the object: `aws s3api head-object --bucket <Source"
            "Bucket> --key <key>` shows `ReplicationStatus: FAILED`; S3 event notifications of "
            "type s3:Replication:OperationFailedReplication carry the reason.",
            "Usual causes: the replication role cannot use the DR key in ap-south-2, or the "
            "region was disabled. Fix the cause first.",
            "Replicate the failed objects again with an S3 Batch Replication job on the rule "
            "(`aws s3control create-job` with the `S3ReplicateObject` operation).",
        ),
    ),
    "AWS/Lambda Errors": Signal(
        "A function failed",
        "A platform function raised an error; its event is retried and then lands in the "
        "function's dead-letter queue.",
        (
            _LAMBDA_LOGS,
            "For the EBS reaper, the EC2 scheduler or the scratch clean-up, read the SNS "
            "report of the run before running it again: they act on resources.",
            "Once fixed, replay the messages of its dead-letter queue (the queue-depth alarm "
            "of the same function says how many).",
        ),
    ),
    "AWS/Lambda Throttles": Signal(
        "A function was throttled",
        "Invocations exceeded the function's reserved concurrency; Lambda retries them, "
        "but sustained throttling delays tagging, audits or clean-ups.",
        (
            "Check whether a burst explains it (a DataSync run with many files, a replayed "
            "backlog); throttles that stop on their own need no action.",
            _LAMBDA_LOGS,
            "If sustained, raise the function's reservation in its component and re-check "
            "the account quota with `make preflight` before the update.",
        ),
    ),
    "AWS/SQS ApproximateNumberOfMessagesVisible": Signal(
        "Events are waiting in a dead-letter queue",
        "Events failed every retry and wait in the queue named by the dimension; nothing "
        "processes them until someone replays them.",
        (
            "Read one: `aws sqs receive-message --queue-url <url> --attribute-names All "
            "--message-attribute-names All` (Lambda adds ErrorCode and ErrorMessage).",
            "Fix the cause (the Errors alarm of the same function, or the target's logs).",
            "Replay each message to its target, e.g. `aws lambda invoke --function-name <fn> "
            "--invocation-type Event --cli-binary-format raw-in-base64-out --payload "
            "file://message.json`, then delete it from the queue.",
        ),
    ),
    "AWS/Events MatchedEvents": Signal(
        "A DataSync transfer failed",
        "A DataSync task execution ended in ERROR. Its files are not tagged (the tagger runs "
        "on success only), so researchers cannot read them yet.",
        (
            "`aws datasync list-task-executions --task-arn <task>` and `aws datasync "
            "describe-task-execution --task-execution-arn <arn>` give the error code.",
            "Read the task report in the transfer-reports bucket and the task's log group.",
            "Start the transfer again once fixed (`aws datasync start-task-execution "
            "--task-arn <task>`); the next success tags every file it verified.",
        ),
    ),
    "GenomicsPlatform/TagAudit UntaggedObjects": Signal(
        "Objects without taxonomy tags",
        "The daily audit found objects that carry no project or category tags: ABAC hides "
        "them from every research role.",
        (
            "Open the audit report named in the SNS message (reports bucket): it lists the "
            "keys and why each could not be tagged.",
            "Keys outside `projects/<project>/raw|processed/` or without the `rs_`/`pg_` "
            "prefix cannot be classified: move them to the layout's path.",
            "Never tag by hand: the bucket policy lets only the tagger write tags. The next "
            "transfer, or a lab dataset event for the prefix, tags them.",
        ),
    ),
    "AWS/EFS PercentIOLimit": Signal(
        "EFS close to its I/O limit",
        "The file system is near the General Purpose mode's I/O limit; pods reading FASTQ or "
        "writing BAM will see latency.",
        (
            "Find the heaviest workloads on the Container Insights dashboard and the Batch "
            "console; stagger alignment jobs.",
            "Move temporary files to scratch workspaces and clean them up.",
        ),
    ),
    "AWS/EFS MeteredIOBytes": Signal(
        "EFS throughput above plan",
        "Elastic throughput is above the planned MiB/s: it is billed per byte, so this is a "
        "cost alarm first and a pressure alarm second.",
        (
            "Find which jobs drive it (Container Insights, Batch); a planned re-alignment "
            "campaign may explain it.",
            "If sustained, compare with provisioned throughput (`efsThroughputMode`, "
            "`efsProvisionedMibps` in docs/configuration.md).",
        ),
    ),
    "AWS/EFS ClientConnections": Signal(
        "More EFS clients than expected",
        "More clients are connected than the platform expects: runaway Jobs or pods that "
        "were never cleaned up.",
        (
            f"{_K8S} `kubectl get pods -A -o wide` and `kubectl get jobs -A`; delete finished "
            "Jobs that linger.",
            "Check the Batch compute environment for jobs stuck in RUNNING.",
        ),
    ),
    "AWS/Backup NumberOfBackupJobsFailed": Signal(
        "An EBS backup failed",
        "A backup job into the vault failed, so a volume has no restore point for today.",
        (
            "`aws backup list-backup-jobs --by-state FAILED --by-backup-vault-name <vault>` "
            "shows the StatusMessage.",
            "A deleted volume needs no action; otherwise start one now with `aws backup "
            "start-backup-job`.",
        ),
    ),
    "AWS/Backup NumberOfCopyJobsFailed": Signal(
        "A backup copy to Hyderabad failed",
        "A restore point did not reach the DR vault in ap-south-2: recovery from Hyderabad "
        "would miss it.",
        (
            "`aws backup list-copy-jobs --by-state FAILED` shows the StatusMessage.",
            "Check that ap-south-2 is enabled and that the DR vault's key allows the backup "
            "role, then copy again with `aws backup start-copy-job`.",
        ),
    ),
    "AWS/Backup NumberOfRecoveryPointsCompleted": Signal(
        "No backup copy reached Hyderabad today",
        "The DR vault in ap-south-2 received no EBS recovery point in a day: the copies of "
        "the daily backups are missing, so a recovery from Hyderabad would be stale.",
        (
            "Check the primary vault's copy jobs: `aws backup list-copy-jobs --by-state FAILED "
            "--region ap-south-1` (the copy-failed alarm of the primary vault says the same).",
            "If no backup ran at all, check the backup plan's jobs in ap-south-1 first.",
            "Check that ap-south-2 is enabled and the DR vault's key allows the backup role.",
        ),
    ),
    "ContainerInsights node_cpu_utilization": Signal(
        "Cluster nodes busy (CPU)",
        "The nodes' average CPU stayed high for 15 minutes; new pods may wait for capacity.",
        (
            f"{_K8S} `kubectl top nodes` and `kubectl get pods -A --field-selector "
            "status.phase=Pending`.",
            "If pods are pending, raise the node group's maxSize in `genomics:nodeGroups`.",
        ),
    ),
    "ContainerInsights node_memory_utilization": Signal(
        "Cluster nodes busy (memory)",
        "The nodes' average memory stayed high for 15 minutes; pods risk eviction.",
        (
            f"{_K8S} `kubectl top nodes` and `kubectl top pods -A --sort-by=memory`.",
            "Raise the node group's maxSize or move memory-heavy steps to the alignment "
            "node group.",
        ),
    ),
    "ContainerInsights pod_container_status_terminated_reason_oom_killed": Signal(
        "Containers killed for memory",
        "Containers exceeded their memory limit and were killed; alignment or QC steps "
        "restart or fail.",
        (
            f"{_K8S} `kubectl get events -A --field-selector reason=OOMKilling`.",
            "Raise the step's memory in `pipelines/alignment.wdl` (the runtime block) and "
            "render the steps again.",
        ),
    ),
    "ContainerInsights pod_container_status_waiting_reason_crash_loop_back_off": Signal(
        "Containers crash-looping",
        "A container keeps exiting right after it starts.",
        (
            f"{_K8S} `kubectl get pods -A | grep CrashLoopBackOff` and `kubectl logs <pod> "
            "-n <namespace> --previous`.",
        ),
    ),
    "ContainerInsights pod_number_of_container_restarts": Signal(
        "Containers restarting",
        "Containers restarted more often than expected in five minutes (OOM, failing probes "
        "or crashes).",
        (
            f"{_K8S} `kubectl get pods -A --sort-by='.status.containerStatuses[0]."
            "restartCount'` and `kubectl describe pod` for the last state.",
        ),
    ),
}

_SELECT: Final = re.compile(
    r"SELECT\s+\w+\((\w+)\)\s+FROM\s+(?:SCHEMA\(\s*\"?([\w/]+)\"?|\"?([\w/]+)\"?)"
)


def signal_of(inputs: Mapping[str, Any]) -> str:
    """`<namespace> <metric>` the alarm watches: its metric, or the first one its query reads."""
    if inputs.get("metricName"):
        return f"{inputs.get('namespace')} {inputs['metricName']}"
    for query in inputs.get("metricQueries") or ():
        metric = query.get("metric") or {}
        if metric.get("metricName"):
            return f"{metric.get('namespace')} {metric['metricName']}"
        match = _SELECT.search(str(query.get("expression") or ""))
        if match:
            return f"{match.group(2) or match.group(3)} {match.group(1)}"
    return ""


@dataclass(frozen=True, slots=True)
class _Alarm:
    stack: str
    name: str
    description: str
    watches: str
    fires: str


_COMPARISONS: Final = {
    "GreaterThanThreshold": ">",
    "GreaterThanOrEqualToThreshold": "≥",
    "LessThanThreshold": "<",
    "LessThanOrEqualToThreshold": "≤",
}


def _fires(inputs: Mapping[str, Any]) -> str:
    threshold = inputs.get("threshold")
    shown = f"{threshold:g}" if isinstance(threshold, float | int) else str(threshold)
    rule = f"{_COMPARISONS.get(str(inputs.get('comparisonOperator')), '?')} {shown}"
    periods = int(inputs.get("evaluationPeriods") or 1)
    period = inputs.get("period")
    if isinstance(period, float | int):
        return f"{rule} for {periods} × {int(period) // 60} min"
    return f"{rule} for {periods} period(s)"


def _alarms(stack: str, resources: Iterable[Any]) -> list[tuple[str, _Alarm]]:
    found = []
    for resource in resources:
        if resource.type != ALARM_TYPE:
            continue
        inputs = resource.inputs
        signal = signal_of(inputs)
        if signal not in SIGNALS:
            raise UnknownSignalError(
                f"alarm {inputs.get('name')} ({stack}) watches {signal or 'an unknown signal'}"
                ", which docs/runbook.md has no entry for: add one to tools/runbook.SIGNALS"
            )
        dimensions = inputs.get("dimensions") or {}
        watches = ", ".join(f"{k}={v}" for k, v in sorted(dimensions.items())) or "(query)"
        found.append(
            (
                signal,
                _Alarm(
                    stack,
                    str(inputs.get("name")),
                    str(inputs.get("alarmDescription") or ""),
                    watches,
                    _fires(inputs),
                ),
            )
        )
    return found


def render_runbook(stacks: Mapping[str, Sequence[Any]]) -> str:
    """The runbook for the rendered `stacks` (stack name → its recorded resources)."""
    by_signal: dict[str, list[_Alarm]] = {}
    for stack, resources in stacks.items():
        for signal, alarm in _alarms(stack, resources):
            by_signal.setdefault(signal, []).append(alarm)
    lines = [
        "# Runbook: one entry per alarm",
        "",
        "<!-- Generated from the rendered prod and dev stacks by `make docs` (tools/runbook.py);",
        "     tests/tools/test_runbook.py fails when it differs. Edit tools/runbook.py. -->",
        "",
        "Every alarm notifies its region's alerts topic (`<org>-<env>-alerts`; the DR alarms",
        "the one in ap-south-2). Find the alarm's name below: what it means, what to do first,",
        "and where it is watched. Names in `<angle brackets>` are the alarm's dimensions.",
        "",
    ]
    for signal in sorted(by_signal, key=lambda s: SIGNALS[s].title):
        entry = SIGNALS[signal]
        lines += [f"## {entry.title}", "", f"Signal: `{signal}`. {entry.meaning}", ""]
        lines += ["First steps:", ""]
        lines += [f"{index}. {step}" for index, step in enumerate(entry.steps, start=1)]
        lines += ["", "| alarm | stack | watches | fires when | description |"]
        lines += ["| --- | --- | --- | --- | --- |"]
        for alarm in sorted(by_signal[signal], key=lambda a: (a.stack != "prod", a.name)):
            lines.append(
                f"| `{alarm.name}` | {alarm.stack} | {alarm.watches} | {alarm.fires} | "
                f"{alarm.description} |"
            )
        lines.append("")
    return "\n".join(lines).rstrip("\n") + "\n"


def write(stacks: Mapping[str, Sequence[Any]]) -> None:
    """Write docs/runbook.md for the rendered stacks (stack → resources)."""
    RUNBOOK_MD.write_text(render_runbook(stacks), encoding="utf-8")
    print(f"wrote {RUNBOOK_MD.relative_to(ROOT)}")


def main() -> int:
    """Write docs/runbook.md from prod and dev."""
    from tools.rendered import render_stacks

    write({stack: run.resources for stack, (_, run) in render_stacks().items()})
    return 0


if __name__ == "__main__":
    sys.exit(main())

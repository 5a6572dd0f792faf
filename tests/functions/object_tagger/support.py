"""Builders shared by the tagger's core and handler tests."""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import UTC, datetime
from types import MappingProxyType

from contracts import taxonomy
from functions.common.datasync_types import ExecutionInfo, S3Destination
from functions.common.fanout import FanOutError
from functions.object_tagger.config import TaggerConfig
from functions.object_tagger.event import (
    DatasetPrefixAssociated,
    ExecutionStateChange,
    parse_event,
    parse_lab_event,
)
from tests.functions.common.fakes import InMemoryS3

RAW_BUCKET = "gen-test-raw-sequence"
REPORT_BUCKET = "gen-test-transfer-reports"
REPORT_PREFIX = "datasync"
TASK_ID = "task-0123456789abcdef0"
EXEC_ID = "exec-0fedcba9876543210"
ACCOUNT = "123456789012"
TASK_ARN = f"arn:aws:datasync:ap-south-1:{ACCOUNT}:task/{TASK_ID}"
EXECUTION_ARN = f"{TASK_ARN}/execution/{EXEC_ID}"
TOPIC_ARN = f"arn:aws:sns:ap-south-1:{ACCOUNT}:transfer-alerts"
STARTED = datetime(2026, 3, 1, 20, 0, tzinfo=UTC)
MACHINE = "arn:aws:states:ap-south-1:123456789012:stateMachine:gen-test-transfer-fanout"
DERIVED_P1 = {
    "project": "p1",
    "data-type": "raw_sequence",
    "data-classification": "restricted",
    "environment": "prod",
}


def state_change_event(
    state: str = "SUCCESS", execution_arn: str = EXECUTION_ARN
) -> dict[str, object]:
    """A DataSync state-change event as EventBridge delivers it."""
    return {
        "version": "0",
        "id": "6a7e8feb-b491-4cf7-a9f1-bf3703467718",
        "detail-type": "DataSync Task Execution State Change",
        "source": "aws.datasync",
        "account": ACCOUNT,
        "time": "2026-03-01T21:00:00Z",
        "region": "ap-south-1",
        "resources": [execution_arn],
        "detail": {"State": state},
    }


def state_change(state: str = "SUCCESS") -> ExecutionStateChange:
    return parse_event(state_change_event(state))


DATASET_PREFIX = "projects/p1/raw/run-42/"
REQUEST_ID = "c0ffee00-1234-4abc-8def-0123456789ab"


def lab_event(
    *, uri: str = f"s3://{RAW_BUCKET}/{DATASET_PREFIX}", tags: object = None
) -> dict[str, object]:
    """A `Dataset Prefix Associated` event as the lab sync workflow puts it on the lab bus."""
    return {
        "version": "0",
        "id": "0d9f6b2c-5e1a-4f3b-9c7d-2a8e4b6c1f00",
        "detail-type": "Dataset Prefix Associated",
        "source": "genomics.lab",
        "account": ACCOUNT,
        "time": "2026-03-02T09:00:00Z",
        "region": "ap-south-1",
        "resources": [],
        "detail": {
            "datasetId": "ds-42",
            "project": "p1",
            "s3Uri": uri,
            "tags": {"instrument": "novaseq-1"} if tags is None else tags,
            "requestId": REQUEST_ID,
        },
    }


def prefix_associated(*, tags: object = None) -> DatasetPrefixAssociated:
    return parse_lab_event(lab_event(tags=tags), buckets={RAW_BUCKET})


def tagger_config(*, tag_unclassified: bool = False, max_concurrency: int = 8) -> TaggerConfig:
    return TaggerConfig(
        environment="prod",
        bucket_categories=MappingProxyType({RAW_BUCKET: taxonomy.category_by_name("raw_sequence")}),
        task_report_bucket=REPORT_BUCKET,
        task_report_prefix=REPORT_PREFIX,
        topic_arn=TOPIC_ARN,
        tag_unclassified=tag_unclassified,
        max_concurrency=max_concurrency,
    )


def report_document(relative_paths: list[str]) -> bytes:
    """A transferred-items report listing `relative_paths` as successful file transfers."""
    return json.dumps(
        {
            "TaskExecutionId": EXEC_ID,
            "Transferred": [
                {
                    "RelativePath": path,
                    "SrcMetadata": {"Type": "Regular", "ContentSize": 10},
                    "TransferStatus": "SUCCESS",
                    "TransferType": "CONTENT_AND_METADATA",
                }
                for path in relative_paths
            ],
        }
    ).encode()


def report_key(part: int = 1) -> str:
    return (
        f"{REPORT_PREFIX}/Detailed-Reports/{TASK_ID}/{EXEC_ID}/"
        f"{EXEC_ID}.files-transferred-v1-{part:05}-0a1b2c3d4e5f6a7b8.json"
    )


class FakeDataSync:
    """Answers describe_execution for the one execution of the tests."""

    def __init__(
        self,
        *,
        prefix: str = "",
        started_at: datetime | None = STARTED,
        files_transferred: int | None = None,
    ) -> None:
        self.info = ExecutionInfo(
            execution_arn=EXECUTION_ARN,
            task_arn=TASK_ARN,
            status="SUCCESS",
            started_at=started_at,
            destination=S3Destination(RAW_BUCKET, prefix),
            files_transferred=files_transferred,
        )
        self.calls = 0

    def describe_execution(self, execution_arn: str) -> ExecutionInfo:
        self.calls += 1
        assert execution_arn == self.info.execution_arn
        return self.info


def lake_with_report(keys: list[str]) -> InMemoryS3:
    """A store holding `keys` (untagged) in the raw bucket and a report listing them."""
    store = InMemoryS3()
    store.buckets[REPORT_BUCKET] = {}
    store.buckets[RAW_BUCKET] = {}
    for key in keys:
        store.add(RAW_BUCKET, key, last_modified=STARTED)
    store.add(REPORT_BUCKET, report_key(), body=report_document([f"/{key}" for key in keys]))
    return store


class FakeStarter:
    def __init__(self, error: FanOutError | None = None) -> None:
        self.started: list[tuple[str, Mapping[str, str]]] = []
        self.error = error

    def start(self, name: str, payload: Mapping[str, str]) -> str:
        if self.error:
            raise self.error
        self.started.append((name, payload))
        return f"{MACHINE.replace(':stateMachine:', ':execution:')}:{name}"

"""`make access` decides the rendered stacks' access with the real engine, and finds defects.

The stacks are rendered the way `make preview` renders them; the mutation and defect tests use
a recording of the prod stack as it was rendered before the data-path fixes (a real record of
`make preview`, Lambda code assets removed), so they keep proving the tool finds those defects
after the fixes land.
"""

from __future__ import annotations

import copy
import gzip
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import pytest

from settings import settings_from_config
from tests.support.stack import rendered_run, stack_config
from tools.access.docs import ACCESS_MD, render_block
from tools.access.evaluate import Outcome, decide, generate
from tools.access.matrix import Cell
from tools.access.report import reads_by_group
from tools.access.stack import StackDocuments, collect
from tools.preview.replay import load_record

FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "access"
STACKS = ("prod", "dev")


@pytest.fixture(scope="module", params=STACKS)
def decided(request: pytest.FixtureRequest) -> tuple[str, StackDocuments, list[Outcome]]:
    """The stack rendered as `make preview` renders it (`make access`'s `load_stack`, from the
    session's shared run), every cell decided."""
    stack = collect(rendered_run(request.param), stack_config(request.param))
    return request.param, stack, decide(stack, generate(stack, settings_from_config(stack.config)))


@pytest.fixture(scope="module")
def before_fixes(tmp_path_factory: pytest.TempPathFactory) -> StackDocuments:
    """The prod stack as rendered before the data-path fixes."""
    path = tmp_path_factory.mktemp("record") / "prod.json"
    compressed = FIXTURE / "prod-record-with-known-defects.json.gz"
    path.write_bytes(gzip.decompress(compressed.read_bytes()))
    run, config = load_record(path)
    # The record predates the pipelines' job definitions, which retired this key.
    config.pop("genomics:batchAlignmentImage", None)
    # It also predates the settings error for HealthOmics where AWS does not offer it.
    config["genomics:healthomicsEnabled"] = "false"
    return collect(run, config)


def _cells(stack: StackDocuments, keep: Callable[[Cell], bool]) -> list[Cell]:
    return [c for c in generate(stack, settings_from_config(stack.config)) if keep(c)]


def _one(outcomes: Sequence[Outcome], label: str, operation: str, target: str) -> Outcome:
    found = [
        o
        for o in outcomes
        if label in o.cell.caller.label
        and o.cell.operation == operation
        and target in o.cell.target
    ]
    assert len(found) == 1, [(o.cell.caller.label, o.cell.operation, o.cell.target) for o in found]
    return found[0]


def test_every_cell_is_decided_as_intended(
    decided: tuple[str, StackDocuments, list[Outcome]],
) -> None:
    """The whole matrix of prod and dev: every cell is decided as intended."""
    name, _, outcomes = decided
    assert len(outcomes) > 200, name
    unexpected = [o for o in outcomes if not o.as_intended]
    assert unexpected == [], "\n".join(
        f"{o.cell.caller.label} {o.cell.operation} {o.cell.target}: {o.deciding}"
        for o in unexpected
    )


def test_each_research_group_reads_exactly_its_settings(
    decided: tuple[str, StackDocuments, list[Outcome]],
) -> None:
    """Per session, the readable projects and classifications are the group's settings."""
    _, stack, outcomes = decided
    settings = settings_from_config(stack.config)
    expected = {
        f"{group.name} [{project}]": {project: sorted(group.classifications)}
        for group in settings.research_groups
        for project in group.projects
    }
    assert reads_by_group(outcomes) == expected


def test_the_tagger_is_refused_retagging_by_the_bucket_policy(
    before_fixes: StackDocuments,
) -> None:
    """Defect: the bucket policies name `…-object-tagger`, the role is `…-object-tagger-role`."""
    outcomes = decide(
        before_fixes, _cells(before_fixes, lambda c: "object-tagger" in c.caller.label)
    )
    retag = _one(
        outcomes,
        "object-tagger",
        "s3:PutObjectTagging (retag)",
        "raw-sequence-ap-south-1/projects/tb-genomics/",
    )
    assert not retag.allowed
    assert (
        "gen-prod-data-lake-raw-sequence-policy#DenyRetaggingExceptTaggerProject" in retag.deciding
    )


def test_multipart_uploads_are_refused_by_the_if_exists_encryption_deny(
    before_fixes: StackDocuments,
) -> None:
    """Defect: `StringNotEqualsIfExists` denies UploadPart, which carries no SSE header."""
    outcomes = decide(
        before_fixes,
        _cells(
            before_fixes,
            lambda c: (
                c.caller.label == "tb-lab [tb-genomics]" and c.operation == "upload (multipart)"
            ),
        ),
    )
    upload = _one(outcomes, "tb-lab", "upload (multipart)", "gen-prod-raw-sequence-ap-south-1")
    assert upload.cell.intended
    assert not upload.allowed
    assert "gen-prod-data-lake-raw-sequence-policy#DenyNonKmsEncryption" in upload.deciding


def test_the_audit_multipart_report_lacks_the_key_decrypt(before_fixes: StackDocuments) -> None:
    """Defect: a multipart upload to an SSE-KMS bucket needs kms:Decrypt, the audit has none."""
    outcomes = decide(
        before_fixes,
        _cells(
            before_fixes, lambda c: "tag-audit" in c.caller.label and c.operation == "s3:PutObject"
        ),
    )
    report = _one(outcomes, "tag-audit", "s3:PutObject", "tag-audit/")
    assert not report.allowed
    assert "kms:Decrypt: ImplicitlyDenied" in report.deciding


def test_the_event_bus_key_has_no_grant_for_eventbridge(before_fixes: StackDocuments) -> None:
    """Defect: the lab bus is encrypted with the lake key, whose policy omits EventBridge."""
    outcomes = decide(before_fixes, _cells(before_fixes, lambda c: c.operation == "encrypt events"))
    bus = _one(outcomes, "events.amazonaws.com", "encrypt events", "gen-prod-lab-sync-bus")
    assert not bus.allowed
    assert "gen-prod-data-lake-key (decision only)" in bus.deciding


def _mutated(
    stack: StackDocuments, policy_id: str, change: Callable[[Any], None]
) -> StackDocuments:
    changed = copy.copy(stack)
    changed.policies = copy.deepcopy(stack.policies)
    change(changed.policies[policy_id])
    return changed


def _statement(document: Any, sid: str) -> Any:
    return next(s for s in document["Statement"] if s.get("Sid") == sid)


def _flip(
    stack: StackDocuments, mutated: StackDocuments, label: str, operation: str, target: str
) -> tuple[bool, bool]:
    """The cell's decision on the recorded documents, then on the mutated ones."""

    def keep(cell: Cell) -> bool:
        return label in cell.caller.label and cell.operation == operation and target in cell.target

    cells = _cells(stack, keep)
    before = _one(decide(stack, cells), label, operation, target).allowed
    after = _one(decide(mutated, cells), label, operation, target).allowed
    return before, after


def test_a_dropped_condition_lets_a_group_read_another_project(
    before_fixes: StackDocuments,
) -> None:
    """Without its ABAC condition the read grant reaches every project's objects."""
    mutated = _mutated(
        before_fixes,
        "gen-prod-data-lake-research-tb-lab-access",
        lambda doc: _statement(doc, "ReadOwnProjectObjects").pop("Condition"),
    )
    target = "gen-prod-raw-sequence-ap-south-1 rare-disease/restricted"
    assert _flip(before_fixes, mutated, "tb-lab [tb-genomics]", "read", target) == (False, True)


def test_a_wrong_principal_in_a_key_policy_stops_cloudwatch_logs(
    before_fixes: StackDocuments,
) -> None:
    """The logs key granting another region's Logs principal leaves this region's refused."""

    def wrong(doc: Any) -> None:
        _statement(doc, "CloudWatchLogsOfThisAccount")["Principal"] = {
            "Service": "logs.ap-south-2.amazonaws.com"
        }

    mutated = _mutated(before_fixes, "gen-prod-logs-key", wrong)
    target = "log-group:/aws/lambda/gen-prod-object-tagger"
    assert _flip(before_fixes, mutated, "logs.", "encrypt log events", target) == (True, False)


def test_a_missing_key_grant_stops_alarm_notifications(before_fixes: StackDocuments) -> None:
    """Without the CloudWatch grant on the topic key, alarms cannot publish to the topic."""
    mutated = _mutated(
        before_fixes,
        "gen-prod-notifications-key",
        lambda doc: doc["Statement"].remove(
            _statement(doc, "ServicesPublishOnBehalfOfThisAccount")
        ),
    )
    assert _flip(
        before_fixes,
        mutated,
        "cloudwatch",
        "publish",
        "gen-prod-alerts from cloudwatch:ap-south-1::metric-alarm/gen-prod-efs-percent-io-limit",
    ) == (
        True,
        False,
    )


def test_an_inverted_bool_lets_plain_http_through(before_fixes: StackDocuments) -> None:
    """`aws:SecureTransport: true` in the TLS deny refuses TLS and lets plain HTTP read."""

    def invert(doc: Any) -> None:
        _statement(doc, "DenyInsecureTransport")["Condition"]["Bool"]["aws:SecureTransport"] = (
            "true"
        )

    mutated = _mutated(before_fixes, "gen-prod-data-lake-raw-sequence-policy", invert)
    bucket = "gen-prod-raw-sequence-ap-south-1"
    assert _flip(before_fixes, mutated, "tb-lab [tb-genomics]", "read over HTTP", bucket) == (
        False,
        True,
    )
    own = f"{bucket} tb-genomics/restricted"
    assert _flip(before_fixes, mutated, "tb-lab [tb-genomics]", "read", own) == (True, False)


def test_docs_show_the_generated_intended_access(
    decided: tuple[str, StackDocuments, list[Outcome]],
) -> None:
    """docs/access.md holds each stack's table as `make access-docs` generates it."""
    name, _, outcomes = decided
    block = render_block(name, [o.cell for o in outcomes])
    assert block in ACCESS_MD.read_text(encoding="utf-8"), "run `make access-docs`"

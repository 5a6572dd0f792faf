"""The subtle changes a reviewer sees in real pull requests, made to the rendered prod stack.

The prod program runs once under the platform mocks; each test edits one recorded
registration the way a pull request would and sends the stack through the real pack process,
as `make preview` does. The unedited stack raises nothing (the baseline); each edit must raise
its rule, at mandatory level, against the resource it touched.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from typing import Any

import pytest
from google.protobuf import struct_pb2

from tests.support.stack import rendered_run, stack_config
from tools.preview.analyzer import PolicyPackProcess, Violation, expand_pack_config
from tools.preview.program import ProgramRun, RecordedResource
from tools.preview.run import default_provider

pytestmark = pytest.mark.policy

ROOT = Path(__file__).resolve().parents[2]
TAGGER_ARN = "arn:aws:iam::111122223333:role/gen-prod-object-tagger"


@pytest.fixture(scope="module")
def prod() -> tuple[ProgramRun, Mapping[str, str]]:
    """The prod stack as `make preview` renders it, with its stack config."""
    return rendered_run("prod"), stack_config("prod")


@pytest.fixture(scope="module")
def prod_pack(prod: tuple[ProgramRun, Mapping[str, str]]) -> Iterator[PolicyPackProcess]:
    """The pack started for the prod stack, with its default config."""
    run, config = prod
    with PolicyPackProcess(
        ROOT / "policies", project=run.project, stack="prod", config=config
    ) as p:
        p.configure(expand_pack_config({}, p.info().policies))
        p.configure_stack()
        yield p


def _providers(run: ProgramRun, config: Mapping[str, str]) -> dict[str, RecordedResource]:
    """Explicit providers by URN and the engine's default ones, as `make preview` sends them."""
    explicit = {r.urn: r for r in run.resources if r.type.startswith("pulumi:providers:")}
    packages = {r.type.split(":", 1)[0] for r in run.resources if r.custom and not r.provider}
    defaults = {f"default:{p}": default_provider(config, p) for p in packages - {"pulumi"}}
    return {**explicit, **defaults}


def _analyze(
    pack: PolicyPackProcess,
    resources: list[RecordedResource],
    config: Mapping[str, str],
    edited: str | None = None,
) -> list[Violation]:
    """Resource rules over every resource (only `edited` when given), then the stack rules."""
    run = ProgramRun(project="genomics", stack="prod", resources=resources)
    providers = _providers(run, config)
    found = [
        v
        for r in resources
        if edited is None or r.name == edited
        for v in pack.analyze(r, providers)
    ]
    return found + pack.analyze_stack(resources, providers)


Edit = Callable[[dict[str, Any]], None]


def _edited(run: ProgramRun, name: str, edit: Edit) -> list[RecordedResource]:
    """The stack with `edit` applied to the inputs of the resource named `name`."""
    out = []
    hits = 0
    for resource in run.resources:
        if resource.name == name:
            hits += 1
            inputs = resource.inputs
            edit(inputs)
            properties = struct_pb2.Struct()
            properties.update(inputs)
            resource = dataclasses.replace(resource, properties=properties)
        out.append(resource)
    assert hits == 1, f"the prod stack has {hits} resources named {name}"
    return out


def _policy_edit(change: Callable[[dict[str, Any]], None], sid: str) -> Edit:
    """Edit the statement `sid` of the JSON policy document in the `policy` input."""

    def edit(inputs: dict[str, Any]) -> None:
        document = json.loads(inputs["policy"])
        matches = [s for s in document["Statement"] if s.get("Sid") == sid]
        assert matches, f"no statement {sid}"
        for statement in matches:
            change(statement)
        inputs["policy"] = json.dumps(document)

    return edit


def _widen_exemption(statement: dict[str, Any]) -> None:
    statement["Condition"]["ArnNotLike"]["aws:PrincipalArn"] = "arn:aws:iam::*:role/*"


def _wildcard_project_read(statement: dict[str, Any]) -> None:
    equals = statement["Condition"]["StringEquals"]
    equals.pop("s3:ExistingObjectTag/project")
    statement["Condition"]["StringLike"] = {"s3:ExistingObjectTag/project": "*"}


def _imds_optional(inputs: dict[str, Any]) -> None:
    inputs["metadataOptions"]["httpTokens"] = "optional"


def _method_open(inputs: dict[str, Any]) -> None:
    inputs["authorization"] = "NONE"


def _lock_off(inputs: dict[str, Any]) -> None:
    inputs["objectLockEnabled"] = False


def _replicate_one_prefix(inputs: dict[str, Any]) -> None:
    inputs["rules"][0]["filter"] = {"prefix": "projects/tb-genomics/"}


def _skip_kms_objects(inputs: dict[str, Any]) -> None:
    inputs["rules"][0].pop("sourceSelectionCriteria")


def _open_default_group(inputs: dict[str, Any]) -> None:
    inputs["ingress"] = [{"protocol": "-1", "fromPort": 0, "toPort": 0, "self": True}]


def _alerts_over_http(inputs: dict[str, Any]) -> None:
    inputs["protocol"] = "http"
    inputs["endpoint"] = "http://hooks.example.org/alerts"


def _transfer_removes_deleted(inputs: dict[str, Any]) -> None:
    inputs["options"]["preserveDeletedFiles"] = "REMOVE"


def _copy_backups_abroad(inputs: dict[str, Any]) -> None:
    copy = inputs["rules"][0]["copyActions"][0]
    copy["destinationVaultArn"] = copy["destinationVaultArn"].replace("ap-south-2", "eu-west-1")


def _expire_raw_objects(inputs: dict[str, Any]) -> None:
    inputs["rules"][0]["expiration"] = {"days": 365}


def _privileged_container(inputs: dict[str, Any]) -> None:
    container = json.loads(inputs["containerProperties"])
    container["privileged"] = True
    inputs["containerProperties"] = json.dumps(container)


def _project_as_literal(statement: dict[str, Any]) -> None:
    statement["Condition"]["StringEquals"]["s3:ExistingObjectTag/project"] = "tb-genomics"


def _list_without_prefix(statement: dict[str, Any]) -> None:
    statement["Condition"].pop("StringLike")


def _decrypt_any_key(statement: dict[str, Any]) -> None:
    statement["Resource"] = "*"


def _mfa_if_exists(inputs: dict[str, Any]) -> None:
    document = json.loads(inputs["assumeRolePolicy"])
    statement = next(s for s in document["Statement"] if s.get("Sid") == "AssumeWithMfa")
    statement["Condition"] = {"BoolIfExists": statement["Condition"]["Bool"]}
    inputs["assumeRolePolicy"] = json.dumps(document)


def _research_read_statement(run: ProgramRun) -> tuple[str, str]:
    """(role policy name, Sid) of a research role's tag-conditioned object read."""
    for resource in run.resources:
        if resource.type != "aws:iam/rolePolicy:RolePolicy" or "research" not in resource.name:
            continue
        for statement in json.loads(resource.inputs["policy"])["Statement"]:
            keys = statement.get("Condition", {}).get("StringEquals", {})
            if "s3:ExistingObjectTag/project" in keys:
                return resource.name, statement["Sid"]
    raise AssertionError("no research role reads under s3:ExistingObjectTag/project")


def _hits(found: list[Violation], rule: str) -> list[tuple[str, str]]:
    return [(v.enforcement, v.urn.rsplit("::", 1)[-1]) for v in found if v.policy == rule]


def test_rendered_prod_stack_is_clean(
    prod: tuple[ProgramRun, Mapping[str, str]], prod_pack: PolicyPackProcess
) -> None:
    """The baseline: the stack as rendered raises nothing, so each edit below is the cause."""
    run, config = prod
    assert [(v.policy, v.urn) for v in _analyze(prod_pack, run.resources, config)] == []


def _drop(*keys: str) -> Edit:
    """Remove the inputs `keys` (a path into nested inputs), as a pull request that leaves an
    argument out does."""

    def edit(inputs: dict[str, Any]) -> None:
        holder = inputs
        for key in keys[:-1]:
            holder = holder[key]
        del holder[keys[-1]]

    return edit


def _drop_statement(sid: str) -> Edit:
    """Remove the statement `sid` from the JSON policy document in the `policy` input."""

    def edit(inputs: dict[str, Any]) -> None:
        document = json.loads(inputs["policy"])
        kept = [s for s in document["Statement"] if s.get("Sid") != sid]
        assert len(kept) == len(document["Statement"]) - 1, f"no statement {sid}"
        inputs["policy"] = json.dumps({**document, "Statement": kept})

    return edit


CASES = [
    pytest.param(
        "gen-prod-data-lake-raw-sequence-policy",
        _policy_edit(_widen_exemption, "DenyTagWritesExceptTagger"),
        "iam-deny-exemption-names-principals",
        id="tagger-exemption-widened",
    ),
    pytest.param(
        "gen-prod-lab-batch-launch-template",
        _imds_optional,
        "ec2-imdsv2-required",
        id="imdsv1-allowed",
    ),
    pytest.param(
        "gen-prod-lab-api-get-dataset-method",
        _method_open,
        "apigateway-method-authorization",
        id="lab-api-method-unauthenticated",
    ),
    pytest.param(
        "gen-prod-data-lake-raw-sequence",
        _lock_off,
        "s3-bucket-object-lock-worm",
        id="raw-sequence-object-lock-off",
    ),
    pytest.param(
        "gen-prod-lab-pipeline-images-quay-template",
        _drop("customRoleArn"),
        "service-role-required",
        id="cache-template-without-role",
    ),
    pytest.param(
        "gen-prod-ops-copy-failed-alert",
        _drop("deadLetterConfig"),
        "eventbridge-dead-letter-queue",
        id="copy-failed-alert-without-dlq",
    ),
    pytest.param(
        "gen-prod-transfer-transfer-1000",
        _drop("target", "deadLetterConfig"),
        "eventbridge-dead-letter-queue",
        id="transfer-schedule-without-dlq",
    ),
    pytest.param(
        "gen-prod-lab-sync-bus",
        _drop("deadLetterConfig"),
        "eventbridge-dead-letter-queue",
        id="encrypted-lab-bus-without-dlq",
    ),
    pytest.param(
        "gen-prod-data-lake-raw-sequence-replication",
        _replicate_one_prefix,
        "s3-bucket-replication-every-object",
        id="replication-narrowed-to-one-project",
    ),
    pytest.param(
        "gen-prod-data-lake-raw-sequence-replication",
        _skip_kms_objects,
        "s3-bucket-replication-every-object",
        id="replication-skips-kms-objects",
    ),
    pytest.param(
        "gen-prod-network-default-sg",
        _open_default_group,
        "ec2-default-security-group-closed",
        id="default-security-group-self-ingress",
    ),
    pytest.param(
        "gen-prod-notifications-alerts-email-1788a6bdbe",
        _alerts_over_http,
        "sns-subscription-encrypted-protocol",
        id="alerts-subscribed-over-http",
    ),
    pytest.param(
        "gen-prod-transfer-processed-genome-task",
        _transfer_removes_deleted,
        "datasync-task-preserves-deleted-files",
        id="transfer-propagates-deletions",
    ),
    pytest.param(
        "gen-prod-ops-plan",
        _copy_backups_abroad,
        "backup-plan-copy-stays-in-allowed-regions",
        id="backup-copies-leave-india",
    ),
    pytest.param(
        "gen-prod-data-lake-raw-sequence-lifecycle",
        _expire_raw_objects,
        "s3-lifecycle-never-expires-worm-data",
        id="raw-sequence-expires-after-a-year",
    ),
    pytest.param(
        "gen-prod-lab-batch-qc-reads",
        _privileged_container,
        "batch-job-definition-unprivileged",
        id="batch-container-privileged",
    ),
    pytest.param(
        "gen-prod-data-lake-research-tb-lab-access",
        _policy_edit(_project_as_literal, "ReadOwnProjectObjects"),
        "iam-s3-read-project-is-principal-tag",
        id="research-read-project-as-literal",
    ),
    pytest.param(
        "gen-prod-data-lake-research-tb-lab-access",
        _policy_edit(_list_without_prefix, "ListOwnProjectPrefix"),
        "iam-s3-list-within-own-prefix",
        id="research-list-without-prefix",
    ),
    pytest.param(
        "gen-prod-data-lake-research-tb-lab-access",
        _policy_edit(_decrypt_any_key, "UseLakeKeyThroughS3ApSouth1"),
        "iam-kms-decrypt-named-keys-via-s3",
        id="research-decrypts-with-any-key",
    ),
    pytest.param(
        "gen-prod-data-lake-research-tb-lab",
        _mfa_if_exists,
        "iam-role-trust-conditions-hold",
        id="research-trust-mfa-if-exists",
    ),
]

STACK_CASES = [
    pytest.param(
        "gen-prod-lab-sync-execution-key",
        _drop_statement("LogDeliveryDecryptsExecutionLogs"),
        "gen-prod-lab-sync-state-machine",
        id="sync-key-without-log-delivery",
    ),
    pytest.param(
        "gen-prod-transfer-fanout-role-policy",
        _drop_statement("EncryptExecutionLogs"),
        "gen-prod-transfer-fanout-state-machine",
        id="fan-out-role-without-log-data-keys",
    ),
]


@pytest.mark.parametrize(("name", "edit", "flagged"), STACK_CASES)
def test_state_machine_log_grant_removed_is_caught(
    prod: tuple[ProgramRun, Mapping[str, str]],
    prod_pack: PolicyPackProcess,
    name: str,
    edit: Edit,
    flagged: str,
) -> None:
    """Dropping either grant log delivery needs raises the rule on the state machine."""
    run, config = prod
    found = _analyze(prod_pack, _edited(run, name, edit), config, edited="")
    assert _hits(found, "sfn-log-delivery-key-grants") == [("mandatory", flagged)]


@pytest.mark.parametrize(("name", "edit", "rule"), CASES)
def test_reviewed_change_is_caught(
    prod: tuple[ProgramRun, Mapping[str, str]],
    prod_pack: PolicyPackProcess,
    name: str,
    edit: Edit,
    rule: str,
) -> None:
    """Each change of the issue's classes raises its rule, mandatory, on the edited resource."""
    run, config = prod
    found = _analyze(prod_pack, _edited(run, name, edit), config, edited=name)
    assert _hits(found, rule) == [("mandatory", name)], [(v.policy, v.message) for v in found]


def test_object_lock_configuration_removed_is_caught(
    prod: tuple[ProgramRun, Mapping[str, str]], prod_pack: PolicyPackProcess
) -> None:
    """Dropping the raw-sequence bucket's Object Lock configuration leaves it unlocked."""
    run, config = prod
    lock = "gen-prod-data-lake-raw-sequence-object-lock"
    resources = [r for r in run.resources if r.name != lock]
    assert len(resources) == len(run.resources) - 1
    found = _analyze(prod_pack, resources, config, edited="")
    rule = "s3-bucket-object-lock-worm"
    assert _hits(found, rule) == [("mandatory", "gen-prod-data-lake-raw-sequence")]


def test_wildcard_object_tag_condition_is_caught(
    prod: tuple[ProgramRun, Mapping[str, str]], prod_pack: PolicyPackProcess
) -> None:
    """A research read whose project condition becomes StringLike "*" reads every project."""
    run, config = prod
    name, sid = _research_read_statement(run)
    found = _analyze(
        prod_pack, _edited(run, name, _policy_edit(_wildcard_project_read, sid)), config
    )
    rule = "iam-s3-read-requires-object-tag"
    assert _hits(found, rule) == [("mandatory", name)]
    message = next(v.message for v in found if v.policy == rule)
    assert 'project (StringLike "*" matches every value)' in message

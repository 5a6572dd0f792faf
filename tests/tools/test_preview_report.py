"""The preview's report reads as a person needs it: one entry per root cause, the fix that
fits the case, replays that say so, and the program's own messages."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import pytest

from tools.preview.__main__ import main
from tools.preview.analyzer import (
    AnalyzerError,
    PackInfo,
    PolicyInfo,
    Violation,
    expand_pack_config,
)
from tools.preview.program import ProgramMessage
from tools.preview.report import render_outputs, render_policy_report, render_program_messages

ROOT = Path(__file__).resolve().parents[2]
RECORDED = ROOT / "tests" / "fixtures" / "recorded" / "prod-f219ab7.json.gz"
TAGS = "aws-resource-required-tags"


def _pack(*names: str, remediation: str = "do the generic thing") -> PackInfo:
    policies = tuple(
        PolicyInfo(name, "", "mandatory", "medium", remediation, "", "resource", {})
        for name in names
    )
    return PackInfo("pack", "1", policies)


def _tag_violation(name: str) -> Violation:
    return Violation(
        TAGS,
        "mandatory",
        "medium",
        f"urn:pulumi:prod::genomics::aws:s3/bucket:Bucket::{name}",
        f"{name} is missing required tags owner (counting the provider's default tags)",
    )


def test_one_cause_on_many_resources_prints_one_entry_with_count_and_examples() -> None:
    """Five resources missing the same tag: one entry naming three and counting the rest."""
    report = render_policy_report(_pack(TAGS), [_tag_violation(f"b{i}") for i in range(5)])
    lines = report.splitlines()
    assert f"  [medium] {TAGS}  ×5 resources: b0, b1, b2 and 2 more" in lines
    assert (
        "      <resource> is missing required tags owner (counting the provider's default tags)"
        in lines
    )
    assert sum(line.startswith("  [") for line in lines) == 1


def test_different_causes_stay_apart() -> None:
    """Another missing tag is another cause, so it gets its own entry."""
    other = Violation(
        TAGS,
        "mandatory",
        "medium",
        "urn:pulumi:prod::genomics::aws:s3/bucket:Bucket::c",
        "c is missing required tags cost-center (counting the provider's default tags)",
    )
    report = render_policy_report(_pack(TAGS), [_tag_violation("a"), other])
    assert sum(line.startswith("  [") for line in report.splitlines()) == 2


def test_a_diagnostic_with_its_own_fix_does_not_get_the_generic_one() -> None:
    """The public-access remedy says "add a block"; a case with a block says what to switch."""
    own = Violation(
        "s3-bucket-public-access-block",
        "mandatory",
        "critical",
        "urn:pulumi:prod::genomics::aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock::pab",
        "bucket raw: public access block pab leaves restrictPublicBuckets off "
        "(fix: set restrict_public_buckets=True on pab)",
    )
    report = render_policy_report(_pack(own.policy, remediation="Add a block"), [own])
    assert "fix: Add a block" not in report
    assert "(fix: set restrict_public_buckets=True on pab)" in report


def test_program_messages_are_labelled_like_the_cli() -> None:
    """Info and warnings are shown; debug is not."""
    text = render_program_messages(
        [ProgramMessage("info", "gateway skipped"), ProgramMessage("debug", "noise")]
    )
    assert text.splitlines() == ["Program messages:", "  info: gateway skipped"]


@pytest.mark.policy
def test_a_dropped_default_tag_in_a_real_record_is_one_entry(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The prod record with `owner` removed from the providers' default tags: hundreds of
    resources lack it, and the report shows one entry for them, on a replay that says the
    program did not run."""
    document = json.loads(gzip.decompress(RECORDED.read_bytes()))
    for resource in document["resources"]:
        if resource["type"] in ("pulumi:providers:aws", "pulumi:providers:aws-native"):
            # Provider inputs travel as JSON text, as the engine sends them.
            tags = json.loads(resource["inputs"]["defaultTags"])
            del tags["tags"]["owner"]
            resource["inputs"]["defaultTags"] = json.dumps(tags)
    record = tmp_path / "record.json"
    record.write_text(json.dumps(document), encoding="utf-8")
    assert main(["--replay", str(record)]) == 1
    printed = capsys.readouterr().out
    entries = [line for line in printed.splitlines() if f"] {TAGS}  " in line]
    assert len(entries) == 1
    count = int(entries[0].split("×")[1].split(" ")[0])
    assert count > 100
    assert "the program did not run" in printed.splitlines()[0]
    assert not any(line.startswith("Time: program") for line in printed.splitlines())


def test_pack_config_is_checked_against_the_policys_schema() -> None:
    """A wrong property type is a clear error naming the policy, the property and what the
    policy accepts, before the pack is configured (the CLI validates the same way)."""
    policy = PolicyInfo(
        TAGS,
        "",
        "mandatory",
        "medium",
        "",
        "",
        "resource",
        {"properties": {"requiredKeys": {"type": "array", "items": {"type": "string"}}}},
    )
    with pytest.raises(AnalyzerError) as raised:
        expand_pack_config({TAGS: {"requiredKeys": 3}}, [policy])
    message = str(raised.value)
    assert f"invalid for {TAGS}: requiredKeys: 3 is not of type 'array'" in message
    assert "(its properties: requiredKeys)" in message
    expand_pack_config({TAGS: {"requiredKeys": ["owner"]}}, [policy])


def test_an_unreadable_pack_config_file_exits_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Broken JSON names the file; no traceback."""
    config = tmp_path / "pack.json"
    config.write_text('{"all": ', encoding="utf-8")
    assert main(["--replay", str(RECORDED), "--policy-pack-config", str(config)]) == 2
    err = capsys.readouterr().err
    assert f"policy pack config {config}" in err
    assert "Traceback" not in err


def test_outputs_are_printed_with_secrets_and_unknowns_marked() -> None:
    """A secret never prints; an unknown says when it is known; long values are cut."""
    from pulumi.runtime import rpc

    text = render_outputs(
        {
            "kubeconfig": {rpc._special_sig_key: rpc._special_secret_sig, "value": "x"},
            "clusterEndpoint": rpc.UNKNOWN,
            "vpcId": "vpc-1",
            "bucketNames": ["b" * 40, "c" * 40],
        }
    )
    lines = text.splitlines()
    assert "  kubeconfig       [secret]" in lines
    assert "  clusterEndpoint  (known after update)" in lines
    assert "  vpcId            vpc-1" in lines
    assert all(len(line) <= 100 for line in lines)
    assert "x" not in "".join(line for line in lines if "kubeconfig" in line)

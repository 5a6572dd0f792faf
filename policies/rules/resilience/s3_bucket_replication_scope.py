"""Replication copies every object, encrypted or not: no rule narrows what reaches the DR copy.

"Every object replicates, encrypted or not" (docs/data-lake.md) fails two quiet ways. A rule's
`filter` with a prefix or tag selects a subset ("Filter ... identifies the subset of objects to
which the replication rule applies", S3 API Reference, ReplicationRule). And S3 skips objects
encrypted with KMS unless the rule opts in: "By default, Amazon S3 doesn't replicate objects that
are stored at rest using server-side encryption with AWS KMS keys ... you must ... add
SourceSelectionCriteria with SseKmsEncryptedObjects Status Enabled" (Amazon S3 User Guide,
"Replicating encrypted objects"). Every data-lake object is SSE-KMS, so a rule without it copies
nothing. An empty prefix and an absent filter mean the same (every object) and both pass.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Final

from policies.framework import EnforcementLevel, ResourceRule, ResourceView, Severity
from policies.props import as_list, as_mapping, as_text, dig
from policies.rules.common import BUCKET_REPLICATION

__all__ = ["RULE"]

_PATH: Final = f"{BUCKET_REPLICATION}.rules[]"


def _enabled(value: object) -> bool:
    return as_text(value).strip().lower() == "enabled"


def _narrowing(rule: object) -> str | None:
    """What in the rule's filter selects fewer than every object (None: it selects all)."""
    selector = as_mapping(dig(rule, "filter"))
    if as_text(selector.get("prefix")):
        return f'prefix "{as_text(selector.get("prefix"))}"'
    if selector.get("tag"):
        return "a tag"
    both = as_mapping(selector.get("and"))
    if as_text(both.get("prefix")) or as_list(both.get("tags")) or both.get("tags"):
        return "an and-filter"
    legacy = as_text(dig(rule, "prefix"))
    return f'prefix "{legacy}"' if legacy else None


def _check(resource: ResourceView) -> Iterator[str]:
    for index, rule in enumerate(as_list(resource.props.get("rules"))):
        if not _enabled(dig(rule, "status")):
            continue
        label = as_text(dig(rule, "id")) or str(index)
        narrowing = _narrowing(rule)
        if narrowing is not None:
            yield f"replication rule {label} copies only what its filter selects ({narrowing})"
        if not _enabled(dig(rule, "sourceSelectionCriteria", "sseKmsEncryptedObjects", "status")):
            yield (
                f"replication rule {label} skips SSE-KMS objects: sourceSelectionCriteria."
                "sseKmsEncryptedObjects.status is not Enabled"
            )


RULE = ResourceRule(
    name="s3-bucket-replication-every-object",
    description=(
        "Enabled S3 replication rules select every object and replicate SSE-KMS encrypted ones."
    ),
    severity=Severity.HIGH,
    enforcement=EnforcementLevel.MANDATORY,
    remediation=(
        'Give each enabled rule filter={"prefix": ""} (no tag or and-filter) and '
        'source_selection_criteria={"sse_kms_encrypted_objects": {"status": "Enabled"}}, with '
        "destination.encryption_configuration.replica_kms_key_id set to the DR key."
    ),
    concern="resilience",
    resource_types=(BUCKET_REPLICATION,),
    guards=(
        f"{_PATH}.filter",
        f"{_PATH}.status",
        f"{_PATH}.sourceSelectionCriteria.sseKmsEncryptedObjects",
        f"{_PATH}.sourceSelectionCriteria.sseKmsEncryptedObjects.status",
    ),
    check=_check,
)

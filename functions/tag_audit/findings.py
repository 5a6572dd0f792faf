"""Judge one object's tags against the taxonomy, and tally findings into an SNS-sized alert.

Everything here is bounded in memory whatever the object count: counts per bucket and per
project, and a fixed-size sample of keys. The full list goes to the report file, not here.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Final

from contracts import taxonomy
from functions.common.object_keys import project_of_key

__all__ = [
    "MAX_TRACKED_PROJECTS",
    "NO_PROJECT",
    "OTHER_PROJECTS",
    "PROJECTS_IN_ALERT",
    "AuditTally",
    "Finding",
    "check_tags",
]

MAX_TRACKED_PROJECTS: Final = 1000
"""Distinct project prefixes counted one by one; beyond that they share one bucket of counts."""
PROJECTS_IN_ALERT: Final = 50
"""Project prefixes listed in the alert, largest first; the report has all of them."""
NO_PROJECT: Final = "(outside projects/<project>/)"
OTHER_PROJECTS: Final = "(further projects)"
_ALERT_TAIL_RESERVE: Final = 512
"""Bytes kept free at the end of the alert for the 'more in the report' line."""


@dataclass(frozen=True, slots=True)
class Finding:
    """One object whose tags break the taxonomy, with every problem found."""

    bucket: str
    key: str
    problems: tuple[str, ...]
    tags: Mapping[str, str] = field(default_factory=dict)

    @property
    def project_prefix(self) -> str:
        """The `projects/<project>/` prefix the key lives under, or NO_PROJECT."""
        project = project_of_key(self.key)
        return f"projects/{project}/" if project else NO_PROJECT

    def as_record(self) -> dict[str, object]:
        """The report line for this finding."""
        return {
            "bucket": self.bucket,
            "key": self.key,
            "problems": list(self.problems),
            "tags": dict(self.tags),
        }

    def summary_line(self) -> str:
        """One alert line: where the object is and what is wrong."""
        return f"s3://{self.bucket}/{self.key} — {'; '.join(self.problems)}"


def check_tags(bucket: str, key: str, tags: Mapping[str, str]) -> Finding | None:
    """A Finding when `tags` miss a required object key or hold a value outside the taxonomy."""
    problems = taxonomy.validate_taxonomy_values(tags, taxonomy.OBJECT_REQUIRED_KEYS)
    if not problems:
        return None
    return Finding(bucket=bucket, key=key, problems=tuple(map(str, problems)), tags=dict(tags))


@dataclass(slots=True)
class AuditTally:
    """Counts and a bounded sample over every audited object."""

    sample_size: int
    checked: Counter[str] = field(default_factory=Counter)
    """Objects whose tags were read, per bucket."""
    findings: Counter[str] = field(default_factory=Counter)
    """Objects with missing or invalid tags, per bucket."""
    unreadable: Counter[str] = field(default_factory=Counter)
    """Objects whose tags could not be read, per bucket."""
    by_project: Counter[str] = field(default_factory=Counter)
    sample: list[Finding] = field(default_factory=list)
    bucket_errors: dict[str, str] = field(default_factory=dict)
    """Buckets whose listing failed, with the error; the audit of those is incomplete."""

    @property
    def finding_total(self) -> int:
        """Objects with missing or invalid tags, all buckets."""
        return sum(self.findings.values())

    @property
    def unreadable_total(self) -> int:
        """Objects whose tags could not be read, all buckets."""
        return sum(self.unreadable.values())

    @property
    def checked_total(self) -> int:
        """Objects whose tags were read, all buckets."""
        return sum(self.checked.values())

    @property
    def anything_found(self) -> bool:
        """Whether a person needs to hear about this run."""
        return bool(self.finding_total or self.unreadable_total or self.bucket_errors)

    def record_clean(self, bucket: str) -> None:
        """Count an object whose tags are fine."""
        self.checked[bucket] += 1

    def record_finding(self, finding: Finding, *, readable: bool = True) -> None:
        """Count a finding (`readable=False` when its tags could not be read at all)."""
        if readable:
            self.checked[finding.bucket] += 1
            self.findings[finding.bucket] += 1
        else:
            self.unreadable[finding.bucket] += 1
        prefix = finding.project_prefix
        if prefix in self.by_project or len(self.by_project) < MAX_TRACKED_PROJECTS:
            self.by_project[prefix] += 1
        else:
            self.by_project[OTHER_PROJECTS] += 1
        if len(self.sample) < self.sample_size:
            self.sample.append(finding)

    def subject(self, environment: str) -> str:
        """A one-line SNS subject with the headline count."""
        return (
            f"[{environment}] Tag audit: {self.finding_total} object(s) with missing or invalid "
            f"tags, {self.unreadable_total} unreadable"
        )

    def alert(
        self,
        *,
        environment: str,
        run_at: datetime,
        report_uri: str | None,
        report_error: str | None,
        max_bytes: int,
    ) -> str:
        """The alert body, at most `max_bytes` of UTF-8 whatever the number of findings.

        The report location comes first so that it survives any cut; sample lines are added
        only while they fit.
        """
        buckets = sorted(set(self.checked) | set(self.unreadable) | set(self.bucket_errors))
        lines = [
            f"Tag audit ({environment}) run at {run_at.isoformat()}",
            f"Full report (JSON lines, one finding per object): {report_uri or 'not written'}",
        ]
        if report_error:
            lines.append(f"The report could not be written: {report_error}")
        lines += [
            "",
            f"Objects checked: {self.checked_total}",
            f"Missing or invalid tags: {self.finding_total}",
            f"Tags unreadable: {self.unreadable_total}",
        ]
        if self.bucket_errors:
            lines += ["", "Buckets that could not be listed (audit incomplete):"]
            lines += [
                f"  {bucket}: {error}" for bucket, error in sorted(self.bucket_errors.items())
            ]
        lines += ["", "By bucket (findings / unreadable / checked):"]
        lines += [
            f"  {name}: {self.findings[name]} / {self.unreadable[name]} / {self.checked[name]}"
            for name in buckets
        ]
        top = self.by_project.most_common(PROJECTS_IN_ALERT)
        lines += ["", f"By project prefix (top {len(top)} of {len(self.by_project)}):"]
        lines += [f"  {prefix}: {count}" for prefix, count in top]
        text = "\n".join(lines)
        used = len(text.encode("utf-8"))
        budget = max_bytes - _ALERT_TAIL_RESERVE
        shown: list[str] = []
        for finding in self.sample:
            line = "\n  " + finding.summary_line()
            size = len(line.encode("utf-8"))
            if used + size > budget:
                break
            shown.append(line)
            used += size
        total = self.finding_total + self.unreadable_total
        text += f"\n\nFirst {len(shown)} of {total} finding(s):" + "".join(shown)
        if len(shown) < total:
            text += f"\n  … {total - len(shown)} more in the report"
        encoded = text.encode("utf-8")
        if len(encoded) > max_bytes:
            # Only the fixed sections can still be too long (a huge bucket error message).
            text = encoded[: max_bytes - 4].decode("utf-8", errors="ignore") + "\n…"
        return text

"""`python -m tools.preview`: config problems end with exit code 2 and a message, no traceback.

Each test previews a temporary copy of the project, so the committed stacks stay untouched and
the program under test is the real `__main__.py`.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from tools.preview.__main__ import main

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """A copy of the project file and program, with no stack files yet."""
    for name in ("Pulumi.yaml", "__main__.py"):
        shutil.copy(ROOT / name, tmp_path / name)
    return tmp_path


def _preview(project: Path, stack: str) -> int:
    return main(
        [
            "--stack",
            stack,
            "--project-dir",
            str(project),
            "--json",
            str(project / "build" / "preview.json"),
        ]
    )


def test_invalid_settings_exit_2_naming_the_key(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A stack with invalid settings fails with code 2 and a message naming key and fix."""
    (project / "Pulumi.bad.yaml").write_text(
        'config:\n  genomics:environment: prod\n  genomics:eksVersion: "1.25"\n',
        encoding="utf-8",
    )
    assert _preview(project, "bad") == 2
    err = capsys.readouterr().err
    assert "genomics:eksVersion = '1.25'" in err
    assert "pulumi config set genomics:eksVersion 1.33" in err
    assert "Traceback" not in err


def test_every_invalid_setting_is_reported(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """All invalid keys of the stack appear in the one failure message."""
    (project / "Pulumi.bad.yaml").write_text(
        "config:\n"
        "  genomics:environment: dev\n"
        "  genomics:scratchCleanupDay: SUNDAY\n"
        "  genomics:projects: [TB-Genomics]\n",
        encoding="utf-8",
    )
    assert _preview(project, "bad") == 2
    err = capsys.readouterr().err
    assert "genomics:scratchCleanupDay" in err
    assert "genomics:projects" in err
    assert "Traceback" not in err


def test_missing_environment_exits_2(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A stack without the one required key fails with code 2 and names it."""
    (project / "Pulumi.bad.yaml").write_text("config:\n  aws:region: ap-south-1\n")
    assert _preview(project, "bad") == 2
    err = capsys.readouterr().err
    assert "Stack 'bad' is missing configuration value 'environment'" in err
    assert "pulumi config set genomics:environment" in err
    assert "Traceback" not in err


def test_unknown_stack_exits_2_listing_the_stacks(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Asking for a stack that has no file fails with code 2 and lists the stacks that exist."""
    for stack in ("dev", "prod"):
        (project / f"Pulumi.{stack}.yaml").write_text("config: {}\n", encoding="utf-8")
    assert _preview(project, "qa") == 2
    err = capsys.readouterr().err
    assert "no stack 'qa'" in err
    assert "dev, prod" in err
    assert "Traceback" not in err


def test_encrypted_secret_exits_2_with_a_clear_message(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A `secure:` value cannot be decrypted offline; the message says which key and why."""
    (project / "Pulumi.sec.yaml").write_text(
        "config:\n"
        "  genomics:environment: prod\n"
        "  genomics:storageGatewayActivationKey:\n"
        "    secure: AAABAHVuZGVjcnlwdGFibGU=\n",
        encoding="utf-8",
    )
    assert _preview(project, "sec") == 2
    err = capsys.readouterr().err
    assert "genomics:storageGatewayActivationKey is an encrypted secret" in err
    assert "cannot decrypt" in err
    assert "Traceback" not in err


def test_provider_region_other_than_primary_region_exits_2(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """`aws:region: mars-east-1` in a stack file fails preview naming `aws:region` and the fix."""
    (project / "Pulumi.mars.yaml").write_text(
        "config:\n  aws:region: mars-east-1\n  genomics:environment: prod\n", encoding="utf-8"
    )
    assert _preview(project, "mars") == 2
    err = capsys.readouterr().err
    assert "aws:region = 'mars-east-1': expected the same region as genomics:primaryRegion" in err
    assert "pulumi config set aws:region ap-south-1" in err
    assert "Traceback" not in err

"""The WDL is valid, its rendering is current, and it follows the platform's conventions."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from contracts.taxonomy import category_by_name
from pipelines import render
from pipelines.definition import STEPS_PATH, WDL_PATH, alignment_workflow

MINIWDL = Path(sys.executable).with_name("miniwdl")


def test_miniwdl_check_passes_strictly() -> None:
    """`miniwdl check --strict` (with ShellCheck over the commands when installed) is clean."""
    done = subprocess.run(
        [str(MINIWDL), "check", "--strict", str(WDL_PATH)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr


@pytest.mark.skipif(shutil.which("shellcheck") is None, reason="make setup installs shellcheck")
def test_miniwdl_check_runs_shellcheck_over_the_commands(tmp_path: Path) -> None:
    """ShellCheck really looks at the commands: a constant `case` word is reported."""
    broken = tmp_path / "main.wdl"
    broken.write_text(
        WDL_PATH.read_text().replace(
            'aligner="~{aligner}"\n', 'case "~{aligner}" in *) ;; esac\n    aligner="~{aligner}"\n'
        )
    )
    done = subprocess.run(
        [str(MINIWDL), "check", "--strict", str(broken)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode != 0
    assert "SC2194" in done.stdout + done.stderr


def test_steps_json_is_the_rendering_of_the_wdl() -> None:
    """steps.json matches the WDL; after editing the WDL run `python -m pipelines.render`."""
    assert STEPS_PATH.read_text() == render.serialise(render.render())


def test_render_refuses_a_placeholder_it_cannot_express(tmp_path: Path) -> None:
    """A function inside a placeholder would mean something else in the shell: refused."""
    wdl = tmp_path / "main.wdl"
    wdl.write_text(
        WDL_PATH.read_text().replace(
            'samtools index "~{bam_name}"', 'samtools index "~{basename(sam)}"'
        )
    )
    with pytest.raises(render.RenderError, match=r"task sort_index command: only a plain name"):
        render.render(wdl)


def test_bam_takes_the_processed_genome_prefix() -> None:
    """The BAM is named by the taxonomy's processed-genome prefix, so the tagger classifies it."""
    declarations = alignment_workflow().tasks["sort_index"].declarations
    prefix = category_by_name("processed_genome").name_prefix
    assert declarations["bam_name"] == f"{prefix}${{sample}}.${{aligner}}.bam"
    qc = alignment_workflow().tasks["qc_reads"].declarations["report_name"]
    assert qc.startswith(f"{prefix}${{sample}}.")


def test_every_image_is_pinned_by_digest_in_the_workflow_inputs() -> None:
    """Each task's container is a workflow input whose default is `repository@sha256:<64 hex>`."""
    images = alignment_workflow().images()
    assert set(images) == {"bwa_image", "bowtie2_image", "samtools_image"}
    for image in images.values():
        assert re.fullmatch(r"quay\.io/biocontainers/[a-z0-9]+@sha256:[0-9a-f]{64}", image)


def test_parameter_template_lists_every_input_with_a_short_description() -> None:
    """Required inputs are not optional; descriptions fit HealthOmics' 256 characters."""
    template = alignment_workflow().parameter_template()
    required = {name for name, spec in template.items() if not spec["optional"]}
    assert required == {"sample", "read1", "read2", "reference"}
    assert all(0 < len(spec["description"]) <= 256 for spec in template.values())


def test_a_run_chooses_one_aligner() -> None:
    """bwa and bowtie2 are the two conditional calls; an unknown aligner is refused."""
    workflow = alignment_workflow()
    assert [c.name for c in workflow.plan("bowtie2")] == ["qc_reads", "align_bowtie2", "sort_index"]
    with pytest.raises(ValueError, match="aligner 'star' is not one of bwa, bowtie2"):
        workflow.plan("star")

"""A real alignment, offline: a seeded synthetic genome and read pairs through the task commands.

The scripts are the ones Batch and EKS run (rendered from the WDL's tasks), executed with
Debian's bwa, bowtie2 and samtools (`make setup` installs them). The BAM is then judged by
samtools itself: it passes `quickcheck`, holds the mapped reads, and is coordinate-sorted.
"""

from __future__ import annotations

import gzip
import os
import random
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

import pytest

from contracts.taxonomy import category_by_name
from pipelines.definition import alignment_workflow
from pipelines.runner import call_scripts

GENOME_LENGTH = 6000
READ_LENGTH = 100
PAIRS = 400
INSERT_SIZE = 300
SEED = 18
TOOLS = ("bwa", "bowtie2", "bowtie2-build", "samtools", "gzip", "awk", "bash")
_COMPLEMENT = str.maketrans("ACGT", "TGCA")


def _require_tools() -> None:
    missing = [tool for tool in TOOLS if shutil.which(tool) is None]
    if missing:
        pytest.fail(f"{', '.join(missing)} missing: `make setup` installs them (apt, as root)")


@dataclass(frozen=True)
class Inputs:
    """The files of one synthetic sample."""

    reference: Path
    read1: Path
    read2: Path


def _reverse_complement(sequence: str) -> str:
    return sequence.translate(_COMPLEMENT)[::-1]


def _with_errors(sequence: str, rng: random.Random) -> str:
    """About one substitution per hundred bases, like a sequencer's error rate."""
    bases = list(sequence)
    for index in range(len(bases)):
        if rng.random() < 0.01:
            bases[index] = rng.choice([b for b in "ACGT" if b != bases[index]])
    return "".join(bases)


def _synthesise(directory: Path) -> Inputs:
    """A random genome and read pairs sampled from both strands of it (seeded)."""
    rng = random.Random(SEED)  # noqa: S311 - reproducible test data, not secrets
    genome = "".join(rng.choice("ACGT") for _ in range(GENOME_LENGTH))
    reference = directory / "rg_synthetic.fa"
    lines = [genome[i : i + 60] for i in range(0, GENOME_LENGTH, 60)]
    reference.write_text(">chrS synthetic\n" + "\n".join(lines) + "\n")
    read1, read2 = directory / "rs_S1_R1.fastq.gz", directory / "rs_S1_R2.fastq.gz"
    quality = "I" * READ_LENGTH
    with gzip.open(read1, "wt") as out1, gzip.open(read2, "wt") as out2:
        for pair in range(PAIRS):
            start = rng.randrange(0, GENOME_LENGTH - INSERT_SIZE)
            fragment = genome[start : start + INSERT_SIZE]
            if rng.random() < 0.5:
                fragment = _reverse_complement(fragment)
            forward = _with_errors(fragment[:READ_LENGTH], rng)
            reverse = _with_errors(_reverse_complement(fragment)[:READ_LENGTH], rng)
            out1.write(f"@pair{pair}/1\n{forward}\n+\n{quality}\n")
            out2.write(f"@pair{pair}/2\n{reverse}\n+\n{quality}\n")
    return Inputs(reference, read1, read2)


def _run(aligner: str, inputs: Inputs, root: Path, **overrides: str) -> Path:
    """Run every call of one run in order, as Batch jobs or the EKS Job's containers would."""
    out_dir = root / "processed"
    environment = {
        "PATH": os.environ["PATH"],
        "run_dir": str(root / "scratch" / f"S1-{aligner}"),
        "out_dir": str(out_dir),
        "sample": "S1",
        "aligner": aligner,
        "read1": str(inputs.read1),
        "read2": str(inputs.read2),
        "reference": str(inputs.reference),
        "threads": "2",
        **overrides,
    }
    for script in call_scripts(aligner):
        done = subprocess.run(
            script.command, env=environment, capture_output=True, text=True, check=False
        )
        if done.returncode != 0:
            raise AssertionError(f"{script.call} failed ({done.returncode}):\n{done.stderr}")
    return out_dir


@pytest.fixture(scope="module")
def inputs(tmp_path_factory: pytest.TempPathFactory) -> Inputs:
    """One synthetic sample shared by the runs."""
    _require_tools()
    return _synthesise(tmp_path_factory.mktemp("inputs"))


def _samtools(*args: str) -> str:
    return subprocess.run(["samtools", *args], capture_output=True, text=True, check=True).stdout


@pytest.mark.parametrize("aligner", alignment_workflow().aligners())
def test_alignment_produces_a_sorted_indexed_bam_of_the_reads(
    aligner: str, inputs: Inputs, tmp_path: Path
) -> None:
    """Each aligner maps nearly every read into a valid, coordinate-sorted, indexed BAM."""
    out_dir = _run(aligner, inputs, tmp_path)
    prefix = category_by_name("processed_genome").name_prefix
    bam = out_dir / f"{prefix}S1.{aligner}.bam"
    assert sorted(p.name for p in out_dir.iterdir()) == sorted(
        [bam.name, f"{bam.name}.bai", f"{bam.name}.flagstat", f"{prefix}S1.reads-qc.tsv"]
    )
    subprocess.run(["samtools", "quickcheck", "-v", str(bam)], check=True)
    mapped = int(_samtools("view", "-c", "-F", "0x904", str(bam)))
    assert mapped >= 0.95 * 2 * PAIRS, f"{mapped} of {2 * PAIRS} reads mapped"
    assert "SO:coordinate" in _samtools("view", "-H", str(bam)).splitlines()[0]
    positions = [int(line.split("\t")[3]) for line in _samtools("view", str(bam)).splitlines()]
    assert positions == sorted(positions)
    assert "ID:S1" in _samtools("view", "-H", str(bam))
    assert (
        out_dir / f"{prefix}S1.reads-qc.tsv"
    ).read_text() == f"sample\tread_pairs\nS1\t{PAIRS}\n"


def test_qc_refuses_reads_that_are_not_pairs(inputs: Inputs, tmp_path: Path) -> None:
    """A read2 with fewer records than read1 stops the run before alignment."""
    short = tmp_path / "rs_S1_R2_short.fastq"
    with gzip.open(inputs.read2, "rt") as source:
        short.write_text("".join(source.readlines()[:-4]))
    with pytest.raises(AssertionError, match=r"(?s)qc_reads failed.*not one set of pairs"):
        _run("bwa", inputs, tmp_path, read2=str(short))
    assert not (tmp_path / "scratch" / "S1-bwa" / "aligned.sam").exists()


def test_qc_refuses_a_truncated_record(inputs: Inputs, tmp_path: Path) -> None:
    """A FASTQ cut mid-record is named with the record number, not aligned."""
    cut = tmp_path / "rs_S1_R1_cut.fastq"
    with gzip.open(inputs.read1, "rt") as source:
        cut.write_text("".join(source.readlines()[:-1]))
    with pytest.raises(AssertionError, match=f"record {PAIRS}: the last record is truncated"):
        _run("bwa", inputs, tmp_path, read1=str(cut))


def test_qc_refuses_a_sample_id_that_cannot_name_a_file(inputs: Inputs, tmp_path: Path) -> None:
    """A sample id with a slash would write outside the output area; it is refused."""
    with pytest.raises(AssertionError, match=r"sample '\.\./S1' must be"):
        _run("bwa", inputs, tmp_path, sample="../S1")

version 1.0

# Paired FASTQ + reference -> read QC -> BWA-MEM or Bowtie2 -> samtools sort/index.
#
# The one definition of the alignment steps. HealthOmics runs this file; the Batch job
# definitions and the EKS Job run the same task commands, rendered from it into
# pipelines/steps.json (`python -m pipelines.render`; a test fails when they drift).
# Task commands use only `~{name}` placeholders so each renders to a `${name}` shell variable.

workflow alignment {
  input {
    String sample
    File read1
    File read2
    File reference
    String aligner = "bwa"
    Int threads = 8
    Int memory_gb = 32
    # Containers, pinned by digest: the only place any engine takes an image from.
    # HealthOmics maps quay.io to the ECR pull-through cache (registry mapping); Batch and
    # EKS pull the same digest through that cache.
    String bwa_image = "quay.io/biocontainers/bwa@sha256:99a35e5ee4e9c329e8746c4689890b97a3ac5620cb36d374cba69ba52016e72a"
    String bowtie2_image = "quay.io/biocontainers/bowtie2@sha256:d568130f2f569f7ea2e2453e5f22e82d960d644b9a533b74f8ac737da6faf556"
    String samtools_image = "quay.io/biocontainers/samtools@sha256:a130447589651ed09252aa95a5e4f4132942cdb54d835d81a04a9a930d656561"
  }

  parameter_meta {
    sample: "Sample id (letters, digits, _ and -); the BAM is named pg_<sample>.<aligner>.bam."
    read1: "Forward reads (FASTQ, gzip or plain), e.g. s3://<raw bucket>/projects/<project>/raw/rs_<sample>_R1.fastq.gz."
    read2: "Reverse reads of the same pairs, in the same order as read1."
    reference: "Reference genome FASTA, e.g. s3://<reference bucket>/projects/<project>/reference/rg_<genome>.fa."
    aligner: "bwa (BWA-MEM, default) or bowtie2."
    threads: "vCPUs of the alignment and sort tasks (default 8)."
    memory_gb: "Memory of the alignment and sort tasks in GiB (default 32)."
    bwa_image: "BWA container, pinned by digest (default: the platform's pin)."
    bowtie2_image: "Bowtie2 container, pinned by digest (default: the platform's pin)."
    samtools_image: "samtools container, pinned by digest (default: the platform's pin)."
  }

  call qc_reads {
    input:
      sample = sample,
      aligner = aligner,
      read1 = read1,
      read2 = read2,
      image = samtools_image
  }

  if (aligner == "bwa") {
    call align_bwa {
      input:
        sample = sample,
        read1 = read1,
        read2 = read2,
        reference = reference,
        qc_report = qc_reads.report,
        threads = threads,
        memory_gb = memory_gb,
        image = bwa_image
    }
  }

  if (aligner == "bowtie2") {
    call align_bowtie2 {
      input:
        sample = sample,
        read1 = read1,
        read2 = read2,
        reference = reference,
        qc_report = qc_reads.report,
        threads = threads,
        memory_gb = memory_gb,
        image = bowtie2_image
    }
  }

  call sort_index {
    input:
      sample = sample,
      aligner = aligner,
      sam = select_first([align_bwa.sam, align_bowtie2.sam]),
      threads = threads,
      memory_gb = memory_gb,
      image = samtools_image
  }

  output {
    File bam = sort_index.bam
    File bai = sort_index.bai
    File flagstat = sort_index.flagstat
    File qc_report = qc_reads.report
  }
}

# Refuses malformed or unpaired FASTQ before any compute is spent on alignment.
task qc_reads {
  input {
    String sample
    String aligner
    File read1
    File read2
    String image
  }

  String report_name = "pg_~{sample}.reads-qc.tsv"

  command <<<
    set -euo pipefail
    if ! [[ "~{sample}" =~ ^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$ ]]; then
      echo "sample '~{sample}' must be 1-64 letters, digits, _ or -, starting with a letter or digit" >&2
      exit 2
    fi
    aligner="~{aligner}"
    if [ "$aligner" != bwa ] && [ "$aligner" != bowtie2 ]; then
      echo "aligner '$aligner' must be bwa or bowtie2" >&2
      exit 2
    fi
    count_reads() {
      gzip -cdf "$1" | awk -v file="$1" '
        NR % 4 == 1 && substr($0, 1, 1) != "@" { problem = "header does not start with @"; exit }
        NR % 4 == 2 { length_of_sequence = length($0) }
        NR % 4 == 3 && substr($0, 1, 1) != "+" { problem = "separator line does not start with +"; exit }
        NR % 4 == 0 && length($0) != length_of_sequence { problem = "quality and sequence lengths differ"; exit }
        END {
          if (problem == "" && NR % 4 != 0) { problem = "the last record is truncated" }
          if (problem != "") { printf "%s: record %d: %s\n", file, int((NR + 3) / 4), problem > "/dev/stderr"; exit 1 }
          print NR / 4
        }'
    }
    pairs_1=$(count_reads "~{read1}")
    pairs_2=$(count_reads "~{read2}")
    if [ "$pairs_1" -ne "$pairs_2" ]; then
      echo "read1 has $pairs_1 reads and read2 has $pairs_2: they are not one set of pairs" >&2
      exit 1
    fi
    if [ "$pairs_1" -eq 0 ]; then
      echo "read1 and read2 hold no reads" >&2
      exit 1
    fi
    printf 'sample\tread_pairs\n%s\t%s\n' "~{sample}" "$pairs_1" > "~{report_name}"
  >>>

  output {
    File report = "~{report_name}"
  }

  runtime {
    docker: image
    cpu: 2
    memory: "4 GiB"
  }
}

task align_bwa {
  input {
    String sample
    File read1
    File read2
    File reference
    File qc_report
    Int threads
    Int memory_gb
    String image
  }

  command <<<
    set -euo pipefail
    cat "~{qc_report}"
    # Index beside a link: inputs may be read-only, the working directory is not.
    ln -sf "~{reference}" reference.fa
    bwa index reference.fa
    bwa mem -t "~{threads}" -R "@RG\tID:~{sample}\tSM:~{sample}\tPL:ILLUMINA" reference.fa "~{read1}" "~{read2}" > aligned.sam
  >>>

  output {
    File sam = "aligned.sam"
  }

  runtime {
    docker: image
    cpu: threads
    memory: "~{memory_gb} GiB"
  }
}

task align_bowtie2 {
  input {
    String sample
    File read1
    File read2
    File reference
    File qc_report
    Int threads
    Int memory_gb
    String image
  }

  command <<<
    set -euo pipefail
    cat "~{qc_report}"
    ln -sf "~{reference}" reference.fa
    bowtie2-build --threads "~{threads}" reference.fa reference
    bowtie2 --threads "~{threads}" --rg-id "~{sample}" --rg "SM:~{sample}" --rg "PL:ILLUMINA" -x reference -1 "~{read1}" -2 "~{read2}" -S aligned.sam
  >>>

  output {
    File sam = "aligned.sam"
  }

  runtime {
    docker: image
    cpu: threads
    memory: "~{memory_gb} GiB"
  }
}

# Coordinate-sorted, indexed BAM named by the taxonomy's processed-genome prefix.
task sort_index {
  input {
    String sample
    String aligner
    File sam
    Int threads
    Int memory_gb
    String image
  }

  String bam_name = "pg_~{sample}.~{aligner}.bam"

  command <<<
    set -euo pipefail
    samtools sort -@ "~{threads}" -o "~{bam_name}" "~{sam}"
    samtools index "~{bam_name}"
    samtools quickcheck "~{bam_name}"
    samtools flagstat "~{bam_name}" > "~{bam_name}.flagstat"
  >>>

  output {
    File bam = "~{bam_name}"
    File bai = "~{bam_name}.bai"
    File flagstat = "~{bam_name}.flagstat"
  }

  runtime {
    docker: image
    cpu: threads
    memory: "~{memory_gb} GiB"
  }
}

"""Encryption at rest: every store of genomes, logs and messages is encrypted with KMS keys."""

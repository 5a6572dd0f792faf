"""The alignment pipeline: one WDL definition, run by HealthOmics, AWS Batch and EKS."""

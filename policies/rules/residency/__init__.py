"""Data residency: genomic data and the services around it stay in allowed regions."""

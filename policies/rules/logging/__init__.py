"""Logging: enough evidence is kept to answer who touched which data, and when."""

"""Resilience: data survives deletion, corruption and the loss of a region."""

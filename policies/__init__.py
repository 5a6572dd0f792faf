"""The genomics platform's policy pack: guardrails every preview and update must pass."""

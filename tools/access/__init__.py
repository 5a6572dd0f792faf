"""`make access`: who can do what, evaluated over the rendered stack by a real IAM engine."""

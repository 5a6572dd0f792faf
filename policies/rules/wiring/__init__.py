"""Wiring integrity: what one resource's policy names is what another resource of the stack is."""

"""Create order: what AWS needs to exist first is what the dependency graph puts first."""

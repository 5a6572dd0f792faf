"""Service availability: every resource's service is offered in the region it is created in."""

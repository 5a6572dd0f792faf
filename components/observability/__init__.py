"""Components of the `observability` part of the platform."""

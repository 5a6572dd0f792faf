"""Components of the `compute` part of the platform."""

"""Components of the `lab` part of the platform."""

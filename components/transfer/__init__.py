"""Components of the `transfer` part of the platform."""

"""Components of the `blocks` part of the platform."""

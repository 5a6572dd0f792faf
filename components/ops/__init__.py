"""Components of the `ops` part of the platform."""

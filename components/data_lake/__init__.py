"""Components of the `data_lake` part of the platform."""

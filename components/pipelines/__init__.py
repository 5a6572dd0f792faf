"""Components of the `pipelines` part of the platform: what every pipeline engine shares."""

"""Offline preview: run the program under Pulumi mocks and the real policy pack over gRPC."""

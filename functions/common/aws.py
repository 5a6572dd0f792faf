"""botocore settings shared by every function: adaptive retries and bounded connection pools."""

from __future__ import annotations

from typing import Final

from botocore.config import Config

__all__ = ["client_config"]

_DEFAULT_POOL: Final = 32


def client_config(max_pool_connections: int = _DEFAULT_POOL) -> Config:
    """A client config with adaptive retries, so throttling slows us down instead of failing us."""
    return Config(
        retries={"mode": "adaptive", "max_attempts": 10},
        max_pool_connections=max_pool_connections,
        connect_timeout=5,
        read_timeout=30,
    )

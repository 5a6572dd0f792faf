"""Decode each analyzer request once, not once per policy.

pulumi-policy's `Analyze` loops over every policy of the pack and, inside that loop, decodes
the request again for each one: `json_format.MessageToDict` of the resource's properties and of
its provider's, `deserialize_properties`, then `unknown_checking_proxy`. With this pack's 40-odd
resource policies that decoding was about 70 % of the pack's time (measured over the prod
stack's 562 requests: 6.4 s of which 4.5 s decoding). Each step's result depends only on its
argument, and the engine never changes a request while a call is in flight, so every gRPC
worker thread keeps the arguments it decoded last (by identity, holding them alive so an
identity cannot be reused) and hands the policies the same read-only result.

`install()` is called by the pack's entry point; `GENOMICS_PACK_DECODE_PER_POLICY=1` turns it
off (tests compare both ways and must see the same diagnostics).
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable
from typing import Any, Final

import pulumi_policy.policy as sdk_policy

__all__ = ["DISABLE_ENV", "install"]

DISABLE_ENV: Final = "GENOMICS_PACK_DECODE_PER_POLICY"
_SLOTS: Final = 4096
"""`AnalyzeStack` decodes every resource (and its provider) once per stack policy, so a thread
keeps as many results as a large stack has messages; the oldest go first."""


class _RecentByIdentity:
    """A per-thread memo of `function(argument, *rest)` for the last arguments seen."""

    def __init__(self, function: Callable[..., Any]) -> None:
        self._function = function
        self._local = threading.local()

    def __call__(self, argument: Any, *rest: Any) -> Any:
        recent: dict[tuple[int, tuple[Any, ...]], tuple[Any, Any]] = (
            self._local.__dict__.setdefault("recent", {})
        )
        key = (id(argument), rest)
        seen = recent.get(key)
        # The entry holds the argument alive, so its id cannot be reused while it is cached.
        if seen is not None and seen[0] is argument:
            return seen[1]
        result = self._function(argument, *rest)
        recent[key] = (argument, result)
        if len(recent) > _SLOTS:
            del recent[next(iter(recent))]
        return result


class _JsonFormat:
    """`json_format` as pulumi-policy uses it, with `MessageToDict` memoised."""

    def __init__(self, module: Any) -> None:
        self._module = module
        self.MessageToDict = _RecentByIdentity(module.MessageToDict)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._module, name)


def install() -> bool:
    """Memoise the SDK's per-policy decoding; returns whether it was installed."""
    # The SDK module looks these names up at each call, so replacing them is enough; they are
    # not part of its typed interface, hence getattr/setattr.
    current = getattr(sdk_policy, "json_format")  # noqa: B009
    if os.environ.get(DISABLE_ENV) == "1" or isinstance(current, _JsonFormat):
        return False
    setattr(sdk_policy, "json_format", _JsonFormat(current))  # noqa: B010
    for name in ("deserialize_properties", "unknown_checking_proxy"):
        setattr(sdk_policy, name, _RecentByIdentity(getattr(sdk_policy, name)))
    return True

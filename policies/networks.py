"""Whether a CIDR opens to the internet: by what it covers, not by how it is spelt.

`0.0.0.0/0` is the obvious spelling; `0.0.0.0/1` plus `128.0.0.0/1`, `0.0.0.0/00` or
`::0/0` cover the same internet and read as "not 0.0.0.0/0" to a string comparison. A range
counts as internet-wide when it is not wholly private (RFC 1918, ULA, link-local and the other
ranges Python's `ipaddress` lists as private) and is wider than a /8 (IPv4) or /16 (IPv6):
wider than any single organisation's public allocation a rule could mean to name.
"""

from __future__ import annotations

import ipaddress
from typing import Final

__all__ = ["is_internet_wide"]

_WIDEST_NAMED: Final = {4: 8, 6: 16}
"""The shortest prefix accepted for a range that is not private, per IP version."""


def is_internet_wide(cidr: str) -> bool:
    """Whether `cidr` admits a large part of the public internet (unparsable text: no)."""
    try:
        network = ipaddress.ip_network(cidr.strip(), strict=False)
    except ValueError:
        return False
    return not network.is_private and network.prefixlen < _WIDEST_NAMED[network.version]

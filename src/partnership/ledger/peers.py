"""The peer nodes this node pulls from, as configured in PARTNERSHIP_PEERS.

    PARTNERSHIP_PEERS="http://eu.example:8000 EU+1a2b3c4d+AbC...=, https://jp.example JP+..."

Each peer is a base URL and the verifier key its operator gave (`partnership ledger key` on that node);
the key's name is the peer's party code, which is also the origin of its checkpoints. Several keys may
be given for one party (e.g. the next key, announced out of band before a rotation).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from urllib.parse import urlsplit

from django.conf import settings

from .keys import LedgerKeyError, key_id, parse_verifier_key, public_key_bytes


class PeerConfigError(ValueError):
    """PARTNERSHIP_PEERS cannot be understood; the message names the entry at fault."""


@dataclass
class PeerConfig:
    party: str
    url: str  # base URL without a trailing slash
    keys: dict[str, bytes] = field(default_factory=dict)  # key ID (hex) -> 32-byte public key


def parse_peers(text: str) -> dict[str, PeerConfig]:
    peers: dict[str, PeerConfig] = {}
    for number, item in enumerate((part.strip() for part in text.split(",")), 1):
        if not item:
            continue
        words = item.split()
        if len(words) != 2:
            raise PeerConfigError(
                f"PARTNERSHIP_PEERS entry {number} ({item!r}) is not `<base URL> <verifier key>`"
            )
        url, vkey = words
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.netloc or parts.query or parts.fragment:
            raise PeerConfigError(f"PARTNERSHIP_PEERS entry {number}: {url!r} is not an http(s) base URL")
        try:
            name, public = parse_verifier_key(vkey)
        except LedgerKeyError as exc:
            raise PeerConfigError(f"PARTNERSHIP_PEERS entry {number}: {exc}") from None
        raw = public_key_bytes(public)
        peer = peers.setdefault(name, PeerConfig(name, url.rstrip("/")))
        if peer.url != url.rstrip("/"):
            raise PeerConfigError(f"PARTNERSHIP_PEERS gives two URLs for {name}: {peer.url} and {url}")
        peer.keys[key_id(name, raw).hex()] = raw
    if settings.NODE_PARTY and settings.NODE_PARTY in peers:
        raise PeerConfigError(f"PARTNERSHIP_PEERS names this node's own party {settings.NODE_PARTY}")
    return peers


def configured_peers() -> dict[str, PeerConfig]:
    """Party code -> peer, from settings.PEERS (raises PeerConfigError if it is malformed)."""
    return parse_peers(settings.PEERS)

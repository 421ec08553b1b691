"""Read paths of the ledger that depend on who reads: which records' content a caller may see.

The log is public so that anyone can verify it: every entry's index, leaf hash, signature, key ID and
record type are served to all. The record itself (its content) goes only to a peer node that
authenticated as one (`node_requests`) or to a user that the record type's rule admits
(`registry.readable_by`, the rules being in `people.permissions`). Without the record bytes the signature
cannot be checked, but the leaf hash, SHA-256(0x00 || record), still proves the entry's place in the
signed checkpoint (docs/ledger.md "What anonymous readers get").
"""

from __future__ import annotations

import base64
import json
from typing import Any

from . import registry, services
from .keys import verifier_key_string
from .models import OWN, LogEntry, Peer, SigningKey
from .peers import PeerConfigError, configured_peers


def record_type(record: bytes) -> str:
    """The `type` of a stored record (canonical JSON this node verified when storing it)."""
    try:
        value = json.loads(record).get("type")
    except (ValueError, AttributeError):
        return ""
    return value if isinstance(value, str) else ""


class ContentRule:
    """Whether the caller may read records of each type, asked once per type."""

    def __init__(self, node: str | None, user: Any) -> None:
        self.node, self.user = node, user
        self._answers: dict[str, bool] = {}

    def __call__(self, kind: str) -> bool:
        if self.node:
            return True  # a peer node reads every record of the log (sealed ones stay sealed)
        if kind not in self._answers:
            self._answers[kind] = registry.readable_by(kind, self.user)
        return self._answers[kind]


def entries(start: int, end: int | None, *, limit: int, max_bytes: int, node: str | None, user: Any) -> dict:
    """Entries of this node's own log from `start`, up to `end` (exclusive), at most `limit` entries or
    about `max_bytes` of records served, whichever comes first (at least one entry).

    `node`: the party of the peer node that authenticated the request (reads every record); else `user`
    (a user or AnonymousUser) reads the records whose type admits them, and gets the others withheld:
    `record` is None, and index, leaf hash, signature, key ID and type are there to verify the entry.
    """
    current = services.size()
    stop = min(current, start + limit, end if end is not None else current)
    may_read = ContentRule(node, user)
    rows = LogEntry.objects.filter(log=OWN, index__gte=start, index__lt=stop).order_by("index")
    served: list[Any] = []
    total = 0
    for row in rows.iterator(chunk_size=100):
        record = bytes(row.record)
        kind = record_type(record)
        readable = may_read(kind)
        if served and readable and total + len(record) > max_bytes:
            break  # the caller asks again from the next index
        if readable:
            total += len(record)
        served.append(
            {
                "index": row.index,
                "type": kind,
                "leaf_hash": bytes(row.leaf_hash).hex(),
                "record": base64.b64encode(record).decode("ascii") if readable else None,
                "signature": base64.b64encode(bytes(row.signature)).decode("ascii"),
                "key_id": row.key_id,
            }
        )
    return {"origin": services.origin(), "size": current, "entries": served}


def not_applied(party: str, user: Any, limit: int = 20) -> list[LogEntry]:
    """A peer's entries this node kept but could not apply, first `limit`; each with `reason`, the
    reason in the active language, or "" when `user` may not read that record's content (the reason
    quotes it)."""
    found = list(LogEntry.objects.filter(log=party).exclude(apply_error="").order_by("index")[:limit])
    may_read = ContentRule(None, user)
    for entry in found:
        readable = may_read(record_type(bytes(entry.record)))
        entry.reason = entry.apply_error_text if readable else ""  # type: ignore[attr-defined]
    return found


def verifier_keys() -> list[dict[str, Any]]:
    """This node's verifier keys (`GET /ledger/keys`): those stored for its own log, the current one
    added when the store does not hold it yet, each with whether it is retired."""
    keys = [
        {"verifier_key": verifier_key_string(k.name, bytes(k.public_key)), "retired": k.retired}
        for k in SigningKey.objects.filter(log=OWN)
    ]
    current = services.verifier_key()
    if not any(k["verifier_key"] == current for k in keys):
        keys.append({"verifier_key": current, "retired": False})
    return keys


def peer_statuses(user: Any) -> tuple[list[dict[str, Any]], str]:
    """Each peer, configured or known from an earlier sync, with where sync stands (the ledger page),
    and the configuration's error in words ("" when it reads); the reasons of records not applied only
    for `user`s that may read them (`not_applied`)."""
    try:
        configured = configured_peers()
        config_error = ""
    except PeerConfigError as exc:
        configured, config_error = {}, str(exc)
    states = {p.party: p for p in Peer.objects.all()}
    peers = [
        {
            "party": party,
            "url": configured[party].url if party in configured else states[party].url,
            "configured": party in configured,
            "state": states.get(party),
            "size": services.size(party),
            "checkpoint": services.latest_checkpoint(party),
            "not_applied": not_applied(party, user),
        }
        for party in sorted(set(configured) | set(states))
    ]
    return peers, config_error

"""Record types and the apps that apply them: how a peer's verified record becomes this node's data.

The ledger depends on nothing else of ours, so the apps that author records tell it, once at start-up
(`AppConfig.ready`), how to apply each record type they author when it arrives from another party's node:

    registry.register("programme.progress_update", apply_progress_update)

`sync` calls the applier inside the transaction that stores the peer's entry, after the entry's
signature, its inclusion in the peer's signed checkpoint and `record.party == peer party` have been
checked. An applier must be idempotent (the same record applied twice changes nothing the second time)
and raises `RecordRejected` with a reason for a record it cannot apply; the entry is then kept, marked
with that reason, and nothing the applier did for it remains.

Each registration also says who may read the content of such records from this node's log
(`readable_by(user) -> bool`, a rule of `people.permissions`): the log is public so that anyone can
verify it, but a record's content is served (`GET /api/v1/ledger/entries`, the ledger page) only to
callers the rule admits, and to peer nodes that authenticate as nodes (`node_requests`). A type no app
registered is read by peer nodes alone; `ledger.key_rotation` is public (verifiers need its keys).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import TYPE_CHECKING, Any, TypeVar

from .records import KEY_ROTATION

if TYPE_CHECKING:
    from .models import LogEntry
    from .records import SignedRecord

Applier = Callable[["SignedRecord", "LogEntry"], None]
# May this user (a Django user or AnonymousUser) read the content of records of a type?
Reader = Callable[[Any], bool]
# Applies many records of one type at once, in log order, as the applier would one by one; returns
# {entry index: reason} for those it rejects (the others are applied).
BatchApplier = Callable[[list[tuple["SignedRecord", "LogEntry"]]], dict[int, str]]

_appliers: dict[str, Applier] = {}
_batch_appliers: dict[str, BatchApplier] = {}
_readers: dict[str, Reader] = {}
_memo: ContextVar[dict[Any, Any] | None] = ContextVar("ledger_registry_memo", default=None)
T = TypeVar("T")


class RecordRejected(Exception):
    """A verified record that this node cannot apply (e.g. it names a joint action this node lacks).

    `message` (a msgid marked with `gettext_noop`) and its `%(name)s` `params` are kept as data
    (`as_data`), so the ledger page shows the reason in the reader's language (`models.render_error`).
    """

    def __init__(self, message: str = "", **params: Any) -> None:
        super().__init__(message % params if params else message)
        self.message = message
        self.params = params

    def as_data(self) -> str:
        """What `LogEntry.apply_error` keeps: the msgid and its values."""
        return json.dumps([self.message or "rejected", self.params], ensure_ascii=False)


def register(
    record_type: str, applier: Applier, many: BatchApplier | None = None, *, readable_by: Reader
) -> None:
    """Make `applier` the one that applies records of `record_type` from peers; `many`, if given, applies
    a run of them at once (a sync page of thousands of updates in a few queries, not thousands).

    `readable_by(user)` says who may read such records' content from this node's log (peer nodes
    always may); there is no default, so a new record type cannot be published by omission.
    """
    existing = _appliers.get(record_type)
    if existing is not None and existing is not applier:
        raise ValueError(f"record type {record_type!r} already has an applier: {existing!r}")
    _appliers[record_type] = applier
    _readers[record_type] = readable_by
    if many is not None:
        _batch_appliers[record_type] = many


def readable_by(record_type: str, user: Any) -> bool:
    """May `user` (not a peer node) read the content of a record of `record_type`?"""
    if record_type == KEY_ROTATION:
        return True  # the keys that sign the rest of the log: every verifier needs them
    reader = _readers.get(record_type)
    return reader is not None and bool(reader(user))


def applier_for(record_type: str) -> Applier | None:
    return _appliers.get(record_type)


def batch_applier_for(record_type: str) -> BatchApplier | None:
    return _batch_appliers.get(record_type)


def record_types() -> list[str]:
    return sorted(_appliers)


@contextmanager
def batch() -> Iterator[None]:
    """While `sync` applies one page of a peer's records: appliers may `memo` lookups of reference data
    (parties, organisations, joint actions) for the page, instead of one query per record."""
    token = _memo.set({})
    try:
        yield
    finally:
        _memo.reset(token)


def memo(key: Any, factory: Callable[[], T]) -> T:
    """`factory()`, computed once per `batch` for `key` (every time outside one). Only for data the
    records being applied cannot change."""
    cache = _memo.get()
    if cache is None:
        return factory()
    if key not in cache:
        cache[key] = factory()
    return cache[key]

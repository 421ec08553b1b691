"""Helper processes for the CPU-bound part of a TAXII request: the STIX checks of a large envelope.

Checking an object with the `stix2` library is pure Python, so one server process checks an envelope
on one core (the GIL) whatever the machine has. A few helper processes, started on first use and kept
for the life of the server process, check part of each large envelope while the request's own thread
checks the rest: on the project's 2-core machines an envelope's checks take about half the time, which
is what lets ingest keep up with STIX validation alone (bench/threat_intel.py prints the ratio).

- One helper per core beyond the first (none on a single core: everything then runs in the request's
  thread, as without this module). Several server processes (a WSGI server with workers) each have
  their own helpers; they only work while an envelope is being checked.
- Helpers are started with `spawn`, never `fork`: a threaded server's other threads may hold locks or
  database connections at the moment of a fork, and a forked child would inherit them. A helper sets
  Django up once and never opens a database connection; it only runs pure functions on the data it is
  sent, so the request's transaction, lock and connection stay in the server process.
- Work goes out in chunks; the request's thread takes chunks from the end that no helper has started,
  so the work splits by what each process gets done, however busy the cores are with other work.
- A helper that dies (killed, out of memory) loses nothing: its chunks are done again in the request's
  thread and the next envelope starts new helpers. A chunk that fails in a helper for any other reason
  (one that cannot be sent, say) is done again in the request's thread too, so a request's outcome,
  errors included, is the one it would have without helpers.
"""

from __future__ import annotations

import multiprocessing
import os
import threading
from collections.abc import Callable, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from typing import TypeVar

Chunk = TypeVar("Chunk")
Result = TypeVar("Result")

_lock = threading.Lock()
_pool: ProcessPoolExecutor | None = None
# Whether a helper of the current pool has finished a chunk, i.e. has started (Django and stix2
# imported, a second or more): until then a request never waits for one.
_ready = False


def helper_count() -> int:
    """Helper processes this server process uses: one per core it may run on, beyond the first."""
    try:
        cores = len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        cores = os.cpu_count() or 1
    return max(cores - 1, 0)


def _start_helper() -> None:
    """In each new helper: Django's settings and apps (for the translations of the messages it writes)."""
    import django

    django.setup()


def _helpers() -> ProcessPoolExecutor | None:
    global _pool
    with _lock:
        if _pool is None and helper_count():
            _pool = ProcessPoolExecutor(
                max_workers=helper_count(),
                mp_context=multiprocessing.get_context("spawn"),
                initializer=_start_helper,
            )
        return _pool


def _discard(broken: ProcessPoolExecutor) -> None:
    global _pool, _ready
    with _lock:
        if _pool is broken:
            _pool, _ready = None, False
    broken.shutdown(wait=False, cancel_futures=True)


def map_in_order(function: Callable[[Chunk], Result], chunks: Sequence[Chunk]) -> list[Result]:
    """`function(chunk)` for each chunk, in the order of `chunks`, by the helpers and this thread together.

    `function` must be a module-level function (or a `functools.partial` of one) whose arguments and
    result can be pickled, and must not touch the database. An exception it raises is raised here.
    """
    pool = _helpers() if len(chunks) > 1 else None
    if pool is None:
        return [function(chunk) for chunk in chunks]
    try:
        futures: list[Future[Result]] = [pool.submit(function, chunk) for chunk in chunks]
    except (BrokenProcessPool, RuntimeError):
        _discard(pool)
        return [function(chunk) for chunk in chunks]
    global _ready
    results: dict[int, Result] = {}
    for index in reversed(range(len(chunks))):
        if futures[index].cancel():
            # No helper has started this chunk: this thread does it (the last chunks, typically).
            results[index] = function(chunks[index])
    for index, future in enumerate(futures):
        if index in results:
            continue
        if not _ready and not future.done():
            # The helpers are still starting (the first large envelope of this server process): this
            # thread does the chunk rather than wait; the helper's copy of the work is dropped.
            results[index] = function(chunks[index])
            continue
        try:
            results[index] = future.result()
            _ready = True
        except BrokenProcessPool:
            _discard(pool)
            results[index] = function(chunks[index])
        except Exception:  # noqa: BLE001 (done again here, where it fails or not exactly as without helpers)
            # E.g. a chunk that cannot be pickled (an object nested too deep to send): the request then
            # behaves exactly as if there were no helpers.
            results[index] = function(chunks[index])
    return [results[index] for index in range(len(chunks))]

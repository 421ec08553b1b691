"""Benchmark: the ledger's append rate, log verification, inclusion proofs and sync between two nodes.

    make bench        # or: .venv/bin/python bench/ledger.py [--runs 5] [--sync-runs 3]

Uses bench/pages.py's throwaway data directory (SQLite, WAL). This process is the EU node
(PARTNERSHIP_NODE_PARTY=EU). It measures, with the figures of issue 4 as targets:

- appends per second through `ledger.services.append` (one record per transaction) and
  `append_many` (100 per transaction: sign, then store the entries and their subtrees in bulk),
  against the raw Ed25519 signing rate
  of `cryptography` on the same canonical bytes; the modes take turns round by round, so a busy moment
  of the machine falls on all of them alike, and each figure is the median of the rounds. The target
  (>= 2,000/s) is judged on 100 records per transaction, the batch a sync page or an import commits;
- `verify_log()` of the own log at 100,000 entries (target <= 10 s), and the runs of the node's
  incremental self-check (`selfcheck.check_log`) on the same log: until all is verified, then one run;
- the SQL queries and time of `services.inclusion_proof(i, n)` for n = 1,000, 10,000 and 100,000:
  the queries must grow as log2(n), not as n;
- sync of 10,000 new entries from a real JP node (`partnership runserver` in its own process, with its
  own data directory and key) with `ledger.sync.sync_all()` (target <= 10 s): first records no app
  applies (`bench.note`, stored and marked not applied), then 10,000 progress updates applied here.

It prints the figures against their targets and exits 0 whether they pass or not.
"""

import argparse
import os
import statistics
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pages  # bench/pages.py: the throwaway data directory, machine description and table

TARGET_APPEND_PER_SECOND = 2000.0
TARGET_VERIFY_SECONDS = 10.0
TARGET_SYNC_SECONDS = 10.0
VERIFY_LOG_SIZE = 100_000
PROOF_SIZES = (1_000, 10_000, 100_000)
SYNC_ENTRIES = 10_000
BATCH = 100  # records per transaction in the batched mode
SINGLE_PER_ROUND = 300  # one-record transactions per round
BATCHED_PER_ROUND = 2_000
RAW_PER_ROUND = 2_000
FILL_BATCH = 1_000  # records per transaction when filling the log up to VERIFY_LOG_SIZE
NARRATIVE = (
    "The expert meeting agreed the work plan for the next cycle; both sides exchanged drafts of the "
    "joint guidelines and will report on the pilot's first results at the next Digital Partnership "
    "Council. Stakeholders were consulted in writing and their comments are reflected in the annex."
)

# Runs in the JP node (`partnership shell -c`): append BENCH_COUNT records of kind BENCH_KIND to its
# own log, 1,000 per transaction. Progress updates name the paragraphs in BENCH_PARAGRAPHS, each
# (action, period, version) once, as the applier requires.
PEER_APPEND = """
import os, uuid
from django.utils import timezone
from partnership.ledger import services
from partnership.ledger.records import SignedRecord, format_time

kind, count = os.environ["BENCH_KIND"], int(os.environ["BENCH_COUNT"])
paragraphs = [int(p) for p in os.environ["BENCH_PARAGRAPHS"].split(",")]
narrative = os.environ["BENCH_NARRATIVE"]
def records(first):
    for number in range(first, min(first + 1000, count)):
        if kind == "bench.note":
            content = {"number": number, "text": narrative}
        else:
            rest = number // len(paragraphs)
            content = {
                "uid": str(uuid.uuid4()), "action": paragraphs[number % len(paragraphs)],
                "period": 2022 + rest % 79, "version": 1 + rest // 79, "status": "on_track",
                "narrative": narrative, "language": "en", "organisation": "jp-digital-agency",
            }
        yield SignedRecord(kind, "JP", "jp-digital-agency", format_time(timezone.now()), content)
for first in range(0, count, 1000):
    services.append_many(records(first))
print(services.size())
"""


def record(number: int):
    """A signed record the size of a progress update (about 600 bytes of canonical JSON)."""
    from django.utils import timezone

    from partnership.ledger.records import SignedRecord, format_time

    content = {
        "uid": f"00000000-0000-4000-8000-{number:012d}",
        "action": 46 + number % 38,
        "period": 2026,
        "version": 1 + number // 38,
        "status": "on_track",
        "narrative": NARRATIVE,
        "language": "en",
        "organisation": "eu-dg-connect",
    }
    return SignedRecord("bench.note", "EU", "eu-dg-connect", format_time(timezone.now()), content)


# --- appends --------------------------------------------------------------------------------------------


def measure_appends(runs: int) -> dict[str, list[float]]:
    """Records per second of raw signing, one-record and 100-record transactions, `runs` rounds each."""

    from partnership.ledger import services

    key = services.node_key()
    rates: dict[str, list[float]] = {"raw": [], "single": [], "batched": [], "yardstick": []}
    number = 0
    services.append(record(number))  # warm-up: key file, statements, first subtrees
    number += 1
    for _ in range(runs):
        signed = [record(number + i).canonical_bytes() for i in range(RAW_PER_ROUND)]
        start = time.perf_counter()
        for data in signed:
            key.sign(data)
        rates["raw"].append(RAW_PER_ROUND / (time.perf_counter() - start))

        batch = [record(number + i) for i in range(SINGLE_PER_ROUND)]
        number += SINGLE_PER_ROUND
        start = time.perf_counter()
        for item in batch:
            services.append(item)
        rates["single"].append(SINGLE_PER_ROUND / (time.perf_counter() - start))

        batch = [record(number + i) for i in range(BATCHED_PER_ROUND)]
        number += BATCHED_PER_ROUND
        start = time.perf_counter()
        for first in range(0, BATCHED_PER_ROUND, BATCH):
            services.append_many(batch[first : first + BATCH])
        rates["batched"].append(BATCHED_PER_ROUND / (time.perf_counter() - start))
        rates["yardstick"].append(pages._fixed_work())
    return rates


def measure_signature_checks(runs: int, count: int = 20_000) -> dict[str, list[float]]:
    """Signature checks per second of the same signed records: OpenSSL on one core, libsodium on one
    core, and the batch check `verify_log` uses (libsodium, one process per core)."""
    from partnership.ledger import services
    from partnership.ledger.keys import public_key_bytes
    from partnership.ledger.records import bad_signatures, bad_signatures_in_parallel, sign_record

    key = services.node_key()
    public, raw = key.public_key(), public_key_bytes(key)
    signed = [sign_record(record(n), key) for n in range(count)]
    checks = [(n, data, signature, raw) for n, (data, signature) in enumerate(signed)]
    rates: dict[str, list[float]] = {"openssl": [], "sodium": [], "parallel": []}
    for _ in range(runs):
        start = time.perf_counter()
        for data, signature in signed:
            public.verify(signature, data)
        rates["openssl"].append(count / (time.perf_counter() - start))
        start = time.perf_counter()
        assert bad_signatures(checks) == []
        rates["sodium"].append(count / (time.perf_counter() - start))
        start = time.perf_counter()
        assert bad_signatures_in_parallel(checks) == []
        rates["parallel"].append(count / (time.perf_counter() - start))
    return rates


def fill_log(target: int) -> float:
    """Append records until the own log has `target` entries, FILL_BATCH per transaction; entries/s."""

    from partnership.ledger import services

    have = services.size()
    start = time.perf_counter()
    for first in range(have, target, FILL_BATCH):
        services.append_many(record(n) for n in range(first, min(first + FILL_BATCH, target)))
    elapsed = time.perf_counter() - start
    return (target - have) / elapsed if target > have else 0.0


# --- verification and proofs -----------------------------------------------------------------------------


def measure_verify(runs: int) -> list[float]:
    from partnership.ledger import services

    times = []
    for _ in range(runs):
        start = time.perf_counter()
        problems = services.verify_log()
        times.append(time.perf_counter() - start)
        if problems:
            raise SystemExit(
                "verify_log found problems in the benchmark's own log: " + "; ".join(problems[:3])
            )
    return times


def measure_self_check(runs: int) -> tuple[list[float], list[float]]:
    """The times of the self-check's runs until the whole log is verified once, then of `runs` runs of
    the steady state (nothing new: the last block, one older block and the tree above the blocks)."""
    from partnership.ledger import selfcheck, services

    first, steady = [], []
    while True:
        start = time.perf_counter()
        state = selfcheck.check_log()
        first.append(time.perf_counter() - start)
        if not state.ok:
            raise SystemExit("the self-check found problems in the benchmark's own log")
        if state.verified_size >= services.size():
            break
    for _ in range(runs):
        start = time.perf_counter()
        selfcheck.check_log()
        steady.append(time.perf_counter() - start)
    return first, steady


def measure_proofs(sizes: tuple[int, ...], repeats: int) -> list[tuple[int, list[int], float]]:
    """For each size n: the query counts of proofs of a few entries, and the median time of a proof."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from partnership.ledger import merkle, services

    figures = []
    for n in sizes:
        indices = [0, n // 3, n // 2 + 1, (2 * n) // 3 + 7, n - 1]
        counts = []
        for index in indices:
            with CaptureQueriesContext(connection) as captured:
                proof = services.inclusion_proof(index, n)
            counts.append(len(captured.captured_queries))
            merkle.verify_inclusion(proof.leaf_hash, index, n, proof.proof, proof.root)
        times = []
        for round_number in range(repeats):
            index = indices[round_number % len(indices)]
            start = time.perf_counter()
            services.inclusion_proof(index, n)
            times.append((time.perf_counter() - start) * 1000)
        figures.append((n, counts, statistics.median(times)))
    return figures


# --- the JP node and sync ----------------------------------------------------------------------------------


class PeerNode:
    """A JP node in its own data directory and process, as tests/federation/nodes.py starts them."""

    def __init__(self, data_dir: Path, peers: str = "") -> None:
        import socket

        self.data_dir = data_dir
        self.peers = peers  # PARTNERSHIP_PEERS: it serves record content only to a node it knows
        with socket.socket() as sock:
            sock.bind(("127.0.0.1", 0))
            self.port = sock.getsockname()[1]
        self.process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def env(self, **extra: str) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if not k.startswith("PARTNERSHIP_")}
        env.pop("DJANGO_SETTINGS_MODULE", None)
        env.update(
            PARTNERSHIP_DATA_DIR=str(self.data_dir),
            PARTNERSHIP_NODE_PARTY="JP",
            PARTNERSHIP_SYNC_INTERVAL="0",
            PARTNERSHIP_ALLOWED_HOSTS="127.0.0.1,localhost",
            PARTNERSHIP_PEERS=self.peers,
            **extra,
        )
        return env

    def call(self, *args: str, **extra: str) -> str:
        result = subprocess.run(  # noqa: S603 (our own command, our own arguments)
            [sys.executable, "-m", "partnership.cli", *args],
            env=self.env(**extra),
            capture_output=True,
            text=True,
            timeout=600,
            check=False,
        )
        if result.returncode:
            raise SystemExit(f"JP node: partnership {args[0]} failed:\n{result.stdout}\n{result.stderr}")
        return result.stdout

    def append(self, kind: str, count: int, paragraphs: list[int]) -> None:
        self.call(
            "shell",
            "-c",
            PEER_APPEND,
            BENCH_KIND=kind,
            BENCH_COUNT=str(count),
            BENCH_PARAGRAPHS=",".join(map(str, paragraphs)),
            BENCH_NARRATIVE=NARRATIVE,
        )

    def start(self) -> None:
        self.process = subprocess.Popen(  # noqa: S603 (our own command, our own arguments)
            [sys.executable, "-m", "partnership.cli", "runserver", f"127.0.0.1:{self.port}", "--noreload"],
            env=self.env(),
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                with urllib.request.urlopen(self.url + "/healthz", timeout=2):  # noqa: S310 (loopback)
                    return
            except (urllib.error.URLError, OSError):
                if self.process.poll() is not None:
                    raise SystemExit(f"the JP node exited with {self.process.returncode}") from None
                time.sleep(0.1)
        raise SystemExit(f"the JP node did not answer on {self.url}")

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=10)
        self.process = None


def forget_peer_log(party: str, keep: int) -> None:
    """Bring this node's copy of `party`'s log back to its first `keep` entries, as if never pulled."""
    from django.db import transaction

    from partnership.ledger.models import Checkpoint, LogEntry, Peer, Subtree
    from partnership.programme.models import ProgressUpdate

    with transaction.atomic():
        ProgressUpdate.objects.filter(ledger_entry__log=party, ledger_entry__index__gte=keep).delete()
        LogEntry.objects.filter(log=party, index__gte=keep).delete()
        for level in range(1, 64):
            Subtree.objects.filter(log=party, level=level, start__gt=keep - 2**level).delete()
        Checkpoint.objects.filter(log=party, size__gt=keep).delete()
        Peer.objects.filter(party=party).delete()


def measure_sync(peer_url: str, verifier_key: str, keep: int, runs: int, expect_applied: bool) -> list[float]:
    """Seconds of `sync_all()` pulling the JP node's entries after the first `keep`, `runs` times."""
    from django.test import override_settings

    from partnership.ledger import sync

    times = []
    with override_settings(PEERS=f"{peer_url} {verifier_key}"):
        for _ in range(runs):
            forget_peer_log("JP", keep)
            start = time.perf_counter()
            (result,) = sync.sync_all()
            times.append(time.perf_counter() - start)
            if result.error or result.fetched != SYNC_ENTRIES:
                raise SystemExit(f"sync failed: {result}")
            applied = result.applied == SYNC_ENTRIES and not result.rejected
            if expect_applied != applied:
                raise SystemExit(f"sync applied {result.applied}, rejected {result.rejected} records")
    return times


# --- the run ---------------------------------------------------------------------------------------------


def run(runs: int, sync_runs: int, verify_runs: int) -> bool:
    """Prepare, measure, print; return whether every figure meets its target."""
    from django.conf import settings
    from django.core.management import call_command

    from partnership.ledger import services
    from partnership.programme.loader import load_programme
    from partnership.programme.models import JointAction

    print("Preparing a throwaway database (this process is the EU node)...", flush=True)
    call_command("migrate", interactive=False, verbosity=0)
    load_programme()
    paragraphs = list(JointAction.objects.order_by("paragraph").values_list("paragraph", flat=True))

    print("Machine")
    print(pages._table(pages.machine_context()))

    rows: list[tuple[str, ...]] = []
    passed = True

    def judge(figure: str, ok: bool | None, shown: str, target_shown: str) -> None:
        nonlocal passed
        if ok is not None:
            passed = passed and ok
        rows.append((figure, shown, target_shown, "-" if ok is None else "PASS" if ok else "FAIL"))

    print(f"\nAppends: {runs} rounds, the three modes in turn in each round", flush=True)
    rates = measure_appends(runs)
    raw, single, batched = (statistics.median(rates[m]) for m in ("raw", "single", "batched"))
    for name, mode in (
        ("raw Ed25519 sign", "raw"),
        ("1 per transaction", "single"),
        ("100 per txn", "batched"),
    ):
        print(f"  {name:<18} " + "  ".join(f"{rate:8,.0f}/s" for rate in rates[mode]))
    judge(
        f"append, {BATCH} records per transaction (median of {runs})",
        batched >= TARGET_APPEND_PER_SECOND,
        f"{batched:,.0f} /s",
        f">= {TARGET_APPEND_PER_SECOND:,.0f} /s",
    )
    judge(
        f"append, 1 record per transaction (median of {runs})",
        None,
        f"{single:,.0f} /s",
        "(information)",
    )
    judge(f"raw Ed25519 signing, same bytes (median of {runs})", None, f"{raw:,.0f} /s", "-")
    judge("append / raw signing", None, f"{batched / raw:.2f} (100/txn), {single / raw:.2f} (1/txn)", "-")

    print(f"\nSignature checks: {runs} rounds, OpenSSL and libsodium in turn", flush=True)
    checks = measure_signature_checks(runs)
    openssl, sodium, parallel = (statistics.median(checks[m]) for m in ("openssl", "sodium", "parallel"))
    judge(
        f"Ed25519 checks, OpenSSL (cryptography), one core (median of {runs})",
        None,
        f"{openssl:,.0f} /s",
        "-",
    )
    judge(f"Ed25519 checks, libsodium (PyNaCl), one core (median of {runs})", None, f"{sodium:,.0f} /s", "-")
    judge(
        f"Ed25519 checks, records.bad_signatures_in_parallel, every core (median of {runs})",
        None,
        f"{parallel:,.0f} /s (x{parallel / openssl:.1f} OpenSSL)",
        "-",
    )

    print(
        f"\nFilling the own log to {VERIFY_LOG_SIZE:,} entries ({FILL_BATCH:,} per transaction)...",
        flush=True,
    )
    fill_rate = fill_log(VERIFY_LOG_SIZE)
    services.checkpoint()
    print(f"  {fill_rate:,.0f} appends/s while filling")
    verify_times = measure_verify(verify_runs)
    print("  verify_log: " + ", ".join(f"{t:.2f} s" for t in verify_times))
    verify = statistics.median(verify_times)
    judge(
        f"verify_log(), {services.size():,} entries (median of {verify_runs})",
        verify <= TARGET_VERIFY_SECONDS,
        f"{verify:.2f} s ({services.size() / verify:,.0f} entries/s)",
        f"<= {TARGET_VERIFY_SECONDS:.0f} s",
    )

    first_runs, steady = measure_self_check(runs=5)
    judge(
        f"self-check (selfcheck.check_log), {services.size():,} entries: runs to verify all, then one run",
        None,
        f"{len(first_runs)} runs ({', '.join(f'{t:.2f}' for t in first_runs)} s), then "
        f"{statistics.median(steady):.3f} s (median of {len(steady)})",
        f"- (vs verify_log {verify:.2f} s)",
    )

    proofs = measure_proofs(PROOF_SIZES, repeats=50)
    bound = [2 * (n - 1).bit_length() + 3 for n, _, _ in proofs]  # path + root reads + 3 fixed queries
    for (n, counts, median_ms), limit in zip(proofs, bound, strict=True):
        judge(
            f"inclusion_proof(i, {n:,}): SQL queries (5 entries), median time",
            max(counts) <= limit,
            f"{min(counts)}-{max(counts)} queries, {median_ms:.2f} ms",
            f"<= {limit} (2*log2 n + 3)",
        )

    print(f"\nStarting a JP node and appending {SYNC_ENTRIES:,} bench.note records to its log...", flush=True)
    # The JP node knows this process as the EU node, whose signed requests read its records' content.
    peer = PeerNode(
        Path(settings.DATA_DIR) / "jp-node", peers=f"http://127.0.0.1:9 {services.verifier_key()}"
    )
    peer.call("migrate", "--verbosity", "0")
    verifier_key = peer.call("ledger", "key").strip()
    started = time.perf_counter()
    peer.append("bench.note", SYNC_ENTRIES, paragraphs)
    print(f"  appended in {time.perf_counter() - started:.1f} s (one process start included)")
    try:
        peer.start()
        notes = measure_sync(peer.url, verifier_key, 0, sync_runs, expect_applied=False)
        print("  sync of bench.note entries: " + ", ".join(f"{t:.2f} s" for t in notes))
        print(f"Appending {SYNC_ENTRIES:,} progress-update records to the JP node's log...", flush=True)
        peer.append("programme.progress_update", SYNC_ENTRIES, paragraphs)
        updates = measure_sync(peer.url, verifier_key, SYNC_ENTRIES, sync_runs, expect_applied=True)
        print("  sync of progress updates: " + ", ".join(f"{t:.2f} s" for t in updates))
    finally:
        peer.stop()
    for label, times in (
        ("bench.note records, stored, not applied, from empty", notes),
        (f"progress updates, applied, after {SYNC_ENTRIES:,} held", updates),
    ):
        median = statistics.median(times)
        judge(
            f"sync of {SYNC_ENTRIES:,} entries: {label} (median of {sync_runs})",
            median <= TARGET_SYNC_SECONDS,
            f"{median:.2f} s ({SYNC_ENTRIES / median:,.0f} entries/s)",
            f"<= {TARGET_SYNC_SECONDS:.0f} s",
        )

    print("\nFigures (SQLite; this process is the EU node, the JP node a `partnership runserver` process)")
    print(pages._table(rows, ("figure", "measured", "target", "result")))
    fastest, typical = min(rates["yardstick"]), statistics.median(rates["yardstick"])
    print(
        f"\nHost steadiness: a fixed CPU-only task took {fastest:.1f} ms at best and {typical:.1f} ms at the "
        f"median between the append rounds (x{typical / fastest:.2f}; near x1.0 on a steady host); "
        f"load average now: {pages._load()}"
    )
    print("\nRESULT: " + ("all targets met" if passed else "SOME TARGETS MISSED (see FAIL above)"))
    return passed


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5, help="rounds of the append measurement")
    parser.add_argument("--verify-runs", type=int, default=3, help="timed verify_log() runs")
    parser.add_argument("--sync-runs", type=int, default=3, help="timed syncs of each kind")
    parser.add_argument("--keep", action="store_true", help="keep the throwaway data directory")
    args = parser.parse_args(argv)
    # This process is the EU node; the JP node's URL and key are set when it has started.
    for name in ("PARTNERSHIP_PEERS", "PARTNERSHIP_NODE_KEY_FILE", "PARTNERSHIP_DATABASE_URL"):
        os.environ.pop(name, None)
    os.environ["PARTNERSHIP_NODE_PARTY"] = "EU"
    os.environ["PARTNERSHIP_SYNC_INTERVAL"] = "0"
    pages.in_throwaway_data_dir(
        "partnership-bench-ledger-", args.keep, lambda: run(args.runs, args.sync_runs, args.verify_runs)
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())

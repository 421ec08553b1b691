"""Benchmark: the cable map (issue 17, "Performance": import the full v3 layout ≤ 10 s; `routes` and
`cut` for Japan–EU ≤ 200 ms each on it; the map page ≤ 300 ms and under 1 MB; printed beside networkx's
own min-cut time on the same graph).

    .venv/bin/python bench/cables.py [--runs 15] [--map PATH]
    BENCH_DATABASE_URL=postgresql://postgres@127.0.0.1:5432/DB  # else SQLite in a throwaway folder

Imports TeleGeography's v3 map (../shared/testdata/cables/telegeography-v3, or --map; licensed for tests:
read where it lies) into an empty database (the import is timed once, from reading the files to the
commit: a first import writes everything), then asks `routes` and `cut seamewe-3 flag-europe-asia-fea`
for Japan–EU the way the command and the API do (`queries.route_answer`/`cut_answer`: the one query
for the map, the graph, the hub paths and the min-cut), and renders `/en/cables/` (the Japan–EU view)
and `/en/cables/?view=world` through the Django test client as a signed-in member, `--runs` times each
after one warm-up (the first answer and the first page after the import, which read the map from the
database and draw the SVG, are printed too: later ones read them from memory until the next import).
Beside them: our min-cut alone (`routes.min_cut`) and networkx's own `minimum_cut` (its default,
preflow-push) on the same flow network (`routes.flow_network`). Prints medians and PASS/FAIL against
each budget; exits 0 either way.
"""

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
DEFAULT_MAP = Path(os.environ.get("PARTNERSHIP_SHARED_DIR", REPO.parent / "shared")) / (
    "testdata/cables/telegeography-v3"
)
IMPORT_S, ASK_MS, PAGE_MS, PAGE_BYTES = 10.0, 200.0, 300.0, 1_000_000


def configure(data_dir: Path) -> None:
    """Point the settings at a throwaway data directory (SQLite unless BENCH_DATABASE_URL) first."""
    os.environ["PARTNERSHIP_DATA_DIR"] = str(data_dir)
    os.environ.pop("PARTNERSHIP_DATABASE_URL", None)
    if os.environ.get("BENCH_DATABASE_URL"):
        os.environ["PARTNERSHIP_DATABASE_URL"] = os.environ["BENCH_DATABASE_URL"]
    os.environ["PARTNERSHIP_DEBUG"] = "false"
    os.environ["PARTNERSHIP_ALLOWED_HOSTS"] = "testserver"
    os.environ["DJANGO_SETTINGS_MODULE"] = "partnership.settings"
    import django

    django.setup()


def median_ms(call, runs: int) -> tuple[float, float]:
    """The median and slowest time of `call()` in milliseconds, after one warm-up."""
    call()
    times = []
    for _run in range(runs):
        started = time.perf_counter()
        call()
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times), max(times)


def verdict(value: float, budget: float) -> str:
    return "PASS" if value <= budget else "FAIL"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--map", type=Path, default=DEFAULT_MAP)
    options = parser.parse_args(argv)
    if not (options.map / "cable" / "cable-geo.json").is_file():
        print(f"{options.map} has no cable/cable-geo.json: give --map or set PARTNERSHIP_SHARED_DIR")
        return 0
    with tempfile.TemporaryDirectory(prefix="bench-cables-") as folder:
        configure(Path(folder))
        import networkx as nx
        from django.contrib.auth.models import User
        from django.core.management import call_command
        from django.test import Client
        from networkx.algorithms.flow import preflow_push

        from partnership.exchanges.cable_outages import queries, routes, services
        from partnership.people.models import Organisation
        from partnership.people.services import create_member
        from partnership.programme.loader import load_programme

        call_command("migrate", interactive=False, verbosity=0)
        load_programme()
        user = User.objects.filter(username="bench-cables").first() or create_member(
            "bench-cables",
            "bench-password-not-secret",
            Organisation.objects.get(code="jp-digital-agency"),
            "secretariat",
        )
        started = time.perf_counter()
        result = services.import_map(user, options.map)
        import_s = time.perf_counter() - started
        record = result.record
        print(f"map: {options.map} ({record.layout}, {record.cables} cables, {record.landing_points} points)")
        print(
            f"import (first, everything written): {import_s:.2f} s  "
            f"[{verdict(import_s, IMPORT_S)} ≤ {IMPORT_S:g} s]"
        )
        started = time.perf_counter()
        again = services.import_map(user, options.map)
        print(f"import again (unchanged: {not again.stored}): {time.perf_counter() - started:.2f} s")

        question = queries.RouteQuestion("JP", "EU")
        cut = queries.RouteQuestion("JP", "EU", ("seamewe-3", "flag-europe-asia-fea"))
        started = time.perf_counter()
        answer = queries.route_answer(user, question)
        first_ms = (time.perf_counter() - started) * 1000
        after = queries.cut_answer(user, cut)
        print(f"routes JP–EU, first after the import (reads the map: 3 queries): {first_ms:.0f} ms")
        routes_ms, routes_max = median_ms(lambda: queries.route_answer(user, question), options.runs)
        cut_ms, cut_max = median_ms(lambda: queries.cut_answer(user, cut), options.runs)
        print(
            f"routes JP–EU: median {routes_ms:.0f} ms (slowest {routes_max:.0f})  "
            f"[{verdict(routes_ms, ASK_MS)} ≤ {ASK_MS:g} ms]"
        )
        print(f"  direct {answer['direct']}, min-cut {answer['min_cut']}, {len(answer['paths'])} hub paths")
        print(
            f"cut seamewe-3 flag-europe-asia-fea: median {cut_ms:.0f} ms (slowest {cut_max:.0f})  "
            f"[{verdict(cut_ms, ASK_MS)} ≤ {ASK_MS:g} ms]"
        )
        print(
            f"  connected {after['connected']}, min-cut {after['min_cut']}, "
            f"hubs {', '.join(after['hubs'][:6])}"
        )

        links = queries.links(user)
        japan, eu = queries.party("JP", "from"), queries.party("EU", "to")
        network = routes.flow_network(links, japan, eu)
        ours_ms, _ = median_ms(lambda: routes.min_cut(links, japan, eu), options.runs)
        default_ms, _ = median_ms(
            lambda: nx.minimum_cut(network, routes.SOURCE, routes.SINK, flow_func=preflow_push), options.runs
        )
        print(
            f"min-cut alone on the same graph ({network.number_of_nodes()} nodes, "
            f"{network.number_of_edges()} edges): "
            f"ours (routes.min_cut: reduced network + Edmonds–Karp, built each time) {ours_ms:.0f} ms; "
            f"networkx minimum_cut default (preflow-push, network given) {default_ms:.0f} ms"
        )

        client = Client()
        client.force_login(user)
        # The process's own first request (templates, catalogues, URL resolvers) on another page, so that
        # "first after the import" below is the map's cost: reading its routes and drawing the SVG.
        client.get("/en/cables/imports/")
        for url in ("/en/cables/", "/en/cables/?view=world"):
            started = time.perf_counter()
            response = client.get(url)
            print(
                f"page {url}, first after the import (draws the SVG): "
                f"{(time.perf_counter() - started) * 1000:.0f} ms"
            )
            size = len(response.content)
            page_ms, page_max = median_ms(lambda url=url: client.get(url), options.runs)
            print(
                f"page {url}: median {page_ms:.0f} ms (slowest {page_max:.0f}), {size / 1024:.0f} KiB  "
                f"[{verdict(page_ms, PAGE_MS)} ≤ {PAGE_MS:g} ms, "
                f"{'PASS' if size < PAGE_BYTES else 'FAIL'} < 1 MB]"
            )
    return 0


if __name__ == "__main__":
    sys.exit(main())

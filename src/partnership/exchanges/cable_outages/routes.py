"""Route resilience between two parties (para 61: secure and sustainable connectivity links), computed
with networkx on plain data (no database): `queries.routes` and `queries.cut` feed it the map.

The graph: a node per country, per landing point and per cable (or space link); a landing point joins
its country and every cable landing there. A country is taken as one place (its terrestrial networks
join its landing points), which is how traffic crosses a hub such as Singapore, Egypt or the United
States. A party is a set of countries (settings.CABLE_PARTIES).

The questions:
- the direct cables: those landing in both parties;
- the paths through one hub country (party A - cable - hub - cable - party B) and through two hubs;
- the min-cut: the fewest cables whose loss disconnects the parties, and which (a maximum flow on the
  graph with each cable split into an edge of capacity 1: by Menger's theorem the flow's value is the
  number of cables in a smallest cut);
- whether the parties are still connected once given cables are removed.
"""

from __future__ import annotations

from collections import defaultdict, deque
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

import networkx as nx

SOURCE, SINK = ("party", "from"), ("party", "to")


@dataclass(frozen=True)
class Link:
    """A cable or space link as the analysis sees it: its id, name and landing points with countries."""

    slug: str
    name: str
    landings: tuple[tuple[str, str], ...]  # (landing point slug, country code)
    corridors: tuple[str, ...] = ()

    @cached_property
    def countries(self) -> frozenset[str]:
        """The ISO codes of the countries it lands in."""
        return frozenset(code for _point, code in self.landings if code)


@dataclass
class Answer:
    """What `analyse` found; `as_json` is the commands' and the API's shape."""

    direct: list[str]
    min_cut: int
    min_cut_cables: list[str]
    hubs: list[str]
    paths: list[dict[str, Any]]
    connected: bool
    removed: list[str] = field(default_factory=list)

    def as_json(self, with_connected: bool = False) -> dict[str, Any]:
        """{"direct", "min_cut", "min_cut_cables", "hubs", "paths"} (and "connected", "removed")."""
        found: dict[str, Any] = {
            "direct": self.direct,
            "min_cut": self.min_cut,
            "min_cut_cables": self.min_cut_cables,
            "hubs": self.hubs,
            "paths": self.paths,
        }
        if with_connected:
            found["connected"] = self.connected
            found["removed"] = self.removed
        return found


def graph(links: list[Link]) -> nx.Graph:
    """The map as an undirected graph: ("country", code), ("point", slug) and ("cable", slug) nodes."""
    built = nx.Graph()
    for link in links:
        cable = ("cable", link.slug)
        built.add_node(cable, name=link.name)
        for point, code in link.landings:
            built.add_edge(cable, ("point", point))
            if code:
                built.add_edge(("point", point), ("country", code))
    return built


def flow_network(links: list[Link], party_from: frozenset[str], party_to: frozenset[str]) -> nx.DiGraph:
    """The directed network whose maximum flow from SOURCE to SINK is the min-cut in cables: each cable
    is an edge ("in", slug) -> ("out", slug) of capacity 1 between the countries it lands in; every other
    edge has no limit. (What `min_cut` computes without networkx; the tests and bench/cables.py check
    the two against each other.)"""
    network = nx.DiGraph()
    for link in links:
        inside, outside = ("in", link.slug), ("out", link.slug)
        network.add_edge(inside, outside, capacity=1)
        # A landing point joins its country without limit both ways, so it is merged into its country:
        # the same cuts, a third of the nodes.
        for code in link.countries:
            network.add_edge(("country", code), inside)
            network.add_edge(outside, ("country", code))
    for code in party_from:
        if ("country", code) in network:
            network.add_edge(SOURCE, ("country", code))
    for code in party_to:
        if ("country", code) in network:
            network.add_edge(("country", code), SINK)
    return network


def min_cut(links: list[Link], party_from: frozenset[str], party_to: frozenset[str]) -> tuple[int, list[str]]:
    """The fewest cables whose loss disconnects the parties, and which (slugs, sorted).

    The maximum flow of `flow_network`, computed here on a smaller form of it: each party's countries
    are merged into the source or the sink, and a cable that lands in one country only (or only inside
    one party) is left out, since it carries nothing between countries. Augmenting paths are found by
    breadth-first search (Edmonds–Karp); with unit cables the flow is the number of cables in a
    smallest cut, a few dozen searches over a few thousand arcs. networkx's `minimum_cut` gives the same
    value (tests/exchanges/cable_outages/test_routes.py) at several times the cost, most of it in
    building its residual network (bench/cables.py prints both).
    """
    unlimited = len(links) + 1
    residual: dict[Any, dict[Any, int]] = defaultdict(dict)

    def arc(tail: Any, head: Any, capacity: int) -> None:
        residual[tail][head] = residual[tail].get(head, 0) + capacity
        residual[head].setdefault(tail, 0)

    for link in links:
        countries = link.countries
        touches_from, touches_to = bool(countries & party_from), bool(countries & party_to)
        others = countries - party_from - party_to
        ends = len(others) + touches_from + touches_to
        if ends < 2:
            continue  # domestic, or inside one party: no flow between the parties crosses it
        inside, outside = ("in", link.slug), ("out", link.slug)
        arc(inside, outside, 1)
        if touches_from:
            arc(SOURCE, inside, unlimited)
        if touches_to:
            arc(outside, SINK, unlimited)
        for code in others:
            arc(("country", code), inside, unlimited)
            arc(outside, ("country", code), unlimited)
    if SOURCE not in residual or SINK not in residual:
        return 0, []
    value = 0
    while True:
        parents: dict[Any, Any] = {SOURCE: None}
        queue = deque([SOURCE])
        while queue and SINK not in parents:
            node = queue.popleft()
            for head, capacity in residual[node].items():
                if capacity > 0 and head not in parents:
                    parents[head] = node
                    queue.append(head)
        if SINK not in parents:
            break
        node = SINK  # every augmenting path crosses a unit cable arc: push one unit
        while parents[node] is not None:
            tail = parents[node]
            residual[tail][node] -= 1
            residual[node][tail] += 1
            node = tail
        value += 1
    reachable = set(parents)
    cut = sorted(
        node[1]
        for node in reachable
        if isinstance(node, tuple) and node[0] == "in" and ("out", node[1]) not in reachable
    )
    return value, cut


def distinct(*legs: list[str]) -> bool:
    """Whether each leg can be made by a different cable (Hall's condition): a "path" whose legs are all
    the one direct cable (Japan to Egypt and Egypt to the EU on SeaMeWe-3) is that cable, not a path
    through a hub."""
    from itertools import combinations

    for size in range(1, len(legs) + 1):
        for chosen in combinations(legs, size):
            if len(set().union(*chosen)) < size:
                return False
    return True


def analyse(
    links: list[Link],
    party_from: frozenset[str],
    party_to: frozenset[str],
    removed: frozenset[str] = frozenset(),
    names: dict[str, str] | None = None,
) -> Answer:
    """Direct cables, hub paths, the min-cut and connectivity between two parties, without `removed`."""
    kept = [link for link in links if link.slug not in removed]
    by_country: dict[str, set[str]] = defaultdict(set)
    for link in kept:
        for code in link.countries:
            by_country[code].add(link.slug)
    from_cables = set().union(*(by_country.get(code, set()) for code in party_from))
    to_cables = set().union(*(by_country.get(code, set()) for code in party_to))
    direct = sorted(from_cables & to_cables)
    parties = party_from | party_to
    countries = {link.slug: link.countries for link in kept}

    def legs(cables: set[str], hub: str) -> list[str]:
        return sorted(cables & by_country.get(hub, set()))

    # Hubs reached in one cable from each side (countries of neither party).
    near_from = {code for slug in from_cables for code in countries[slug]} - parties
    near_to = {code for slug in to_cables for code in countries[slug]} - parties
    paths: list[dict[str, Any]] = []
    for hub in sorted(near_from & near_to):
        first, second = legs(from_cables, hub), legs(to_cables, hub)
        if distinct(first, second):
            paths.append({"via": [hub], "legs": [first, second]})
    for hub_a in sorted(near_from):
        into_a = legs(from_cables, hub_a)
        for hub_b in sorted(near_to - {hub_a}):
            between = sorted(by_country.get(hub_a, set()) & by_country.get(hub_b, set()))
            out_of_b = legs(to_cables, hub_b)
            if between and distinct(into_a, between, out_of_b):
                paths.append({"via": [hub_a, hub_b], "legs": [into_a, between, out_of_b]})
    # The strongest paths first: by the fewest cables on a leg, then by the fewest hubs.
    paths.sort(key=lambda path: (-min(len(leg) for leg in path["legs"]), len(path["via"]), path["via"]))
    weight: dict[str, int] = defaultdict(int)
    for path in paths:
        for hub in path["via"]:
            weight[hub] += min(len(leg) for leg in path["legs"])
    hubs = sorted(weight, key=lambda code: (-weight[code], code))
    value, cut = min_cut(kept, party_from, party_to)
    return Answer(
        direct=direct,
        min_cut=value,
        min_cut_cables=cut,
        hubs=hubs,
        paths=paths,
        connected=value > 0,
        removed=sorted(removed),
    )

"""The exchange contract (DESIGN.md): how exchange and trust-service apps reach the programme.

Each exchange (supply-chain early warning, para 46; cable outages, para 61; ...) declares, in one
object, the joint actions it serves, the indicators it computes and its section of the progress
report to the Council, and registers that object from its `AppConfig.ready()`:

    class SupplyChainConfig(AppConfig):
        def ready(self):
            from partnership.programme import exchanges
            exchanges.register(SupplyChainExchange())

The programme and the cycle find them only through `registered()`; they never import an exchange.
"""

from typing import Any, Protocol, runtime_checkable


@runtime_checkable
class Exchange(Protocol):
    """What an exchange or trust service declares.

    - `name`: a stable identifier, the app label (e.g. "supply_chain").
    - `annex_paragraphs`: the joint actions it serves, e.g. `(46,)`.
    - `indicators(cycle_year)`: its measurements for a cycle, each a dict with `name` (str or
      {"en": ..., "ja": ...}), `value`, `unit` and `source`; they appear beside the secretariats'
      indicators with their source marked.
    - `report_section(cycle_year, language)`: its section of the report, a dict with `title`,
      `figures` (a list of {"label", "value"}), optionally `chart` (an SVG document the app builds
      itself, with every text escaped) and `events` (a list of short texts).
    """

    name: str
    annex_paragraphs: tuple[int, ...]

    def indicators(self, cycle_year: int) -> list[dict[str, Any]]: ...

    def report_section(self, cycle_year: int, language: str) -> dict[str, Any]: ...


_registry: dict[str, Exchange] = {}


def register(exchange: Exchange) -> Exchange:
    """Add an exchange to the registry (from its AppConfig.ready); a second one of that name replaces it.

    Replacing rather than refusing: Django may run `ready()` twice (the autoreloader, some tests).
    """
    if not isinstance(exchange, Exchange):
        raise TypeError(f"{exchange!r} does not implement the exchange contract")
    name = str(exchange.name).strip()
    if not name:
        raise ValueError("an exchange needs a name")
    paragraphs = tuple(exchange.annex_paragraphs)
    if not paragraphs or not all(isinstance(p, int) and 46 <= p <= 83 for p in paragraphs):
        raise ValueError(f"{name}: annex_paragraphs must name joint actions of the Annex (46-83)")
    _registry[name] = exchange
    return exchange


def unregister(name: str) -> None:
    """Remove an exchange from the registry (tests that register one of their own)."""
    _registry.pop(name, None)


def registered() -> list[Exchange]:
    """The registered exchanges, in the order of the first paragraph they serve, then by name."""
    return sorted(_registry.values(), key=lambda exchange: (min(exchange.annex_paragraphs), exchange.name))

"""The exchange contract (DESIGN.md): one registration per exchange or trust service, found everywhere.

Each exchange (threat intelligence, para 54; health certificates, para 78; supply chain, para 46; ...)
subclasses `Exchange` in its app, declares everything about itself there, and registers one instance
from its `AppConfig.ready()`:

    class SupplyChainConfig(AppConfig):
        def ready(self):
            from partnership.programme import exchanges

            from .contract import SupplyChain

            exchanges.register(SupplyChain())

The rest of the product iterates over `registered()`: the URLs (`urls.py`), the API (`api.py`), the
navigation, the dashboard, the ledger's record types, the CLI reference (`gendocs`), the demo and the
Council report. Outside its folder an exchange is named once, in `settings.EXCHANGES`.
`docs/adding-an-exchange.md` is the checklist; `tests/exchange_contract.py` the inherited tests.
The programme and the cycle never import an exchange (import-linter's contracts in pyproject.toml).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from partnership.ledger.registry import Applier, BatchApplier, Reader
    from partnership.programme.panels import Panel


@dataclass(frozen=True)
class Navigation:
    """An entry of the site's main navigation: a URL name of the exchange's pages and its label."""

    url_name: str
    label: Any  # a lazy translation, so the navigation speaks the reader's language
    order: int = 50


@dataclass(frozen=True)
class RecordType:
    """A ledger record type the exchange authors: the applier that takes it from a peer, and who may read
    its content from the public log (a rule of `people.permissions`; no default, docs/ledger.md)."""

    name: str
    applier: Applier
    readable_by: Reader
    many: BatchApplier | None = None


@dataclass(frozen=True)
class DemoOrganisation:
    """An organisation the demo creates for this exchange (the programme's text does not name it)."""

    code: str
    party: str
    kind: str
    name_en: str
    name_ja: str


@dataclass(frozen=True)
class DemoAccount:
    """A demo login: `username` starts with the party's code in lower case (`jp-`, `eu-`)."""

    username: str
    organisation: str
    role: str
    description: str


@dataclass(frozen=True)
class DemoContext:
    """What an exchange's demo seeding may use: whether a party authors on this node."""

    on_this_node: Callable[[str], bool]


class Exchange:
    """What an exchange or trust service declares; override what applies, leave the rest.

    Required: `name` (the app label), `title` (lazy, both languages), `annex_paragraphs` (the joint
    actions it serves, 46-83), `indicators(cycle_year)` and `report_section(cycle_year, language)`.

    - `indicators(cycle_year)`: a list of dicts with `name` (str or {"en", "ja"}), `value` (None when
      there is no measure yet), `unit` and `source`; shown beside the secretariats' own indicators.
    - `report_section(cycle_year, language)`: a dict with `title`, `figures` (a list of {"label",
      "value"}), optionally `chart` (an SVG document the app builds, every text escaped) and `events`.
    - `api_router`: dotted path of a django-ninja `Router`, mounted under `/api/v1/<api_prefix>/`.
    - `page_urls`: dotted path of a URL module, included under `/<lang>/`.
    - `root_urls`: (prefix, dotted URL module) pairs outside the language prefix (a protocol: TAXII).
    - `navigation`: its entry in the site's navigation.
    - `commands`: the management commands it adds (each documented in docs/cli.md by `gendocs`).
    - `record_types`: the ledger record types it authors, registered with `ledger.registry`.
    - `panels`: its dashboard panels.
    - `demo_organisations`, `demo_accounts`, `seed_demo(context)`: what `make demo` creates for it;
      `seed_demo` returns one line for the demo's summary.
    - `generated_docs()`: {file name under docs/: text} that `gendocs` writes and checks.
    - `landing(actor)`: the URL name of the page this member lands on after signing in when the exchange
      is their daily work (an ISAC's analysts: threat intelligence), else None (their dashboard).
    """

    name: str = ""
    title: Any = ""
    annex_paragraphs: tuple[int, ...] = ()
    api_router: str | None = None
    api_prefix: str = ""
    page_urls: str | None = None
    root_urls: tuple[tuple[str, str], ...] = ()
    navigation: Navigation | None = None
    commands: tuple[str, ...] = ()
    record_types: tuple[RecordType, ...] = ()
    panels: tuple[Panel, ...] = ()
    demo_organisations: tuple[DemoOrganisation, ...] = ()
    demo_accounts: tuple[DemoAccount, ...] = ()

    @property
    def module(self) -> str:
        """The app's dotted module (where its commands and URL modules live)."""
        return type(self).__module__.rsplit(".", 1)[0]

    def indicators(self, cycle_year: int) -> list[dict[str, Any]]:
        raise NotImplementedError

    def report_section(self, cycle_year: int, language: str) -> dict[str, Any]:
        raise NotImplementedError

    def seed_demo(self, context: DemoContext) -> str | None:
        """Create the exchange's demo data (idempotent); one line for the summary, or None."""
        return None

    def generated_docs(self) -> dict[str, str]:
        return {}

    def landing(self, actor: Any) -> str | None:
        """The page `actor` (a `people.permissions.Actor`) starts from, if this exchange is their work."""
        return None


_registry: dict[str, Exchange] = {}


def register(exchange: Exchange) -> Exchange:
    """Add an exchange to the registry (from its AppConfig.ready), with its record types and panels.

    A second one of that name replaces the first: Django may run `ready()` twice (the autoreloader,
    some tests), and a test may register its own example exchange and restore the registry after.
    """
    if not isinstance(exchange, Exchange):
        raise TypeError(f"{exchange!r} does not subclass programme.exchanges.Exchange")
    name = str(exchange.name).strip()
    if not name:
        raise ValueError("an exchange needs a name")
    paragraphs = tuple(exchange.annex_paragraphs)
    if not paragraphs or not all(isinstance(p, int) and 46 <= p <= 83 for p in paragraphs):
        raise ValueError(f"{name}: annex_paragraphs must name joint actions of the Annex (46-83)")
    for method in ("indicators", "report_section"):
        if getattr(type(exchange), method) is getattr(Exchange, method):
            raise TypeError(f"{name}: an exchange must define {method}()")
    from partnership.ledger import registry as ledger_registry
    from partnership.programme import panels

    for record_type in exchange.record_types:
        ledger_registry.register(
            record_type.name, record_type.applier, record_type.many, readable_by=record_type.readable_by
        )
    for panel in exchange.panels:
        panels.register(panel)
    _registry[name] = exchange
    return exchange


def unregister(name: str) -> None:
    """Remove an exchange from the registry (a test's own example exchange)."""
    _registry.pop(name, None)


def registered() -> list[Exchange]:
    """The registered exchanges, in the order of the first paragraph they serve, then by name."""
    return sorted(_registry.values(), key=lambda exchange: (min(exchange.annex_paragraphs), exchange.name))


def snapshot() -> dict[str, Exchange]:
    """The registry as it is (tests restore it with `restore`)."""
    return dict(_registry)


def restore(saved: dict[str, Exchange]) -> None:
    """Put the registry back as `snapshot` found it."""
    _registry.clear()
    _registry.update(saved)

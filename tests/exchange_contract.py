"""The exchange contract's tests, inherited by every exchange (STYLE.md 4, DESIGN.md "The exchange contract").

In the manner of NetBox's `APIViewTestCases`: a test module declares its exchange and its sample data,
and inherits the tests every exchange must pass.

    class TestSupplyChainContract(ExchangeContract):
        exchange_class = SupplyChain

        def sample_data(self, members, tmp_path) -> Sample:
            ...  # create records through the services, as `members["jp_secretariat"]` would
            return Sample(owner=..., other_party=..., pages=[...], count=..., more=..., ...)

        def author_on_peer(self, node) -> Any: ...   # only if the exchange declares record_types
        def assert_received(self, authored) -> None: ...

What it checks: the registration is well formed and registered; the sample data exists and the
exchange's indicators measure it; anonymous callers are refused (401) on every protected path and
write; a member of the other party cannot write (403/404, nothing changes) while the owner can; paths
that name nothing answer 404; every page renders in English and Japanese; a page's query count does
not grow with the data; each declared command is documented in docs/cli.md; the report section is
well formed and reaches the Council report in both languages; each ledger record type makes a round
trip from a real JP node (its own process) to this node. The registry is restored after each test.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import translation

from partnership.programme import exchanges
from tests.helpers import plan_cycle

CLI_REFERENCE = Path(__file__).resolve().parents[1] / "docs" / "cli.md"


@dataclass
class Write:
    """A write through the exchange's API or protocol, tried as each kind of caller."""

    method: str
    path: str
    body: Any = None
    content_type: str = "application/json"


@dataclass
class Sample:
    """What `sample_data` created and how to probe it."""

    owner: Any  # the member (a User) whose party owns the sample data
    other_party: Any  # a member of the other party with the same role
    pages: list[str]  # page paths under /<lang>/ that the owner reads
    count: Callable[[], int]  # how many records the exchange holds (a refused write changes nothing)
    more: Callable[[int], None]  # add n more records of the same kinds, as the owner would
    protected: list[str] = field(default_factory=list)  # GET paths an anonymous caller is refused
    writes: list[Write] = field(default_factory=list)  # writes the owner may make, no one else
    # Writes with no HTTP path (a service or command): called with a user, they must raise PermissionDenied
    # for the other party.
    service_writes: list[Callable[[Any], Any]] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)  # paths that name nothing: 404 for the owner
    auth: Callable[[Any], dict[str, str]] | None = None  # request headers that sign in a user
    headers: dict[str, str] = field(default_factory=dict)  # e.g. Accept for a protocol


class ExchangeContract:
    """Base class (not collected: no Test prefix) of an exchange's contract tests."""

    exchange_class: type[exchanges.Exchange]
    cycle_year = 2026
    #: Extra queries a page may make after `more(25)`, for what is truly per page (e.g. a page size).
    query_slack = 0

    # --- what a subclass declares -----------------------------------------------------------------

    def sample_data(self, members, tmp_path) -> Sample:
        """Create the exchange's records through its services (files, if any, under `tmp_path`)."""
        raise NotImplementedError("an exchange's contract test declares sample_data()")

    def author_on_peer(self, node) -> Any:
        """Author a shared record on the real JP node `node` (over HTTP); return what to look for."""
        raise NotImplementedError("an exchange that declares record_types proves their round trip")

    def assert_received(self, authored: Any) -> None:
        """After this node (EU) synced the JP node's log: the record is here, read-only."""
        raise NotImplementedError("an exchange that declares record_types proves their round trip")

    def cli_reference(self) -> str:
        """The command-line reference its commands must be in: the committed docs/cli.md."""
        return CLI_REFERENCE.read_text(encoding="utf-8")

    # --- fixtures -----------------------------------------------------------------------------------

    @pytest.fixture(autouse=True)
    def registry_restored(self):
        saved = exchanges.snapshot()
        yield
        exchanges.restore(saved)

    @pytest.fixture
    def exchange(self, db):
        return exchanges.register(self.exchange_class())

    @pytest.fixture
    def sample(self, exchange, members, tmp_path) -> Sample:
        return self.sample_data(members, tmp_path)

    @pytest.fixture
    def report_cycle(self, members):
        from partnership.cycle.models import Cycle

        if not Cycle.objects.filter(year=self.cycle_year).exists():
            plan_cycle(
                members["jp_secretariat"],
                {
                    "year": self.cycle_year,
                    "call_opens": f"{self.cycle_year}-01-15",
                    "call_closes": f"{self.cycle_year}-03-31",
                },
            )
        return self.cycle_year

    def _client(self, sample: Sample, user) -> tuple[Client, dict[str, str]]:
        client = Client()
        headers = dict(sample.headers)
        if user is not None:
            if sample.auth is not None:
                headers.update(sample.auth(user))
            else:
                client.force_login(user)
        return client, {f"HTTP_{name.upper().replace('-', '_')}": value for name, value in headers.items()}

    def _send(self, sample: Sample, user, write: Write):
        import json

        client, headers = self._client(sample, user)
        body = write.body if isinstance(write.body, str | bytes) else json.dumps(write.body)
        return getattr(client, write.method.lower())(
            write.path, body, content_type=write.content_type, **headers
        )

    # --- the declaration ----------------------------------------------------------------------------

    def test_declares_the_joint_actions_it_serves(self, exchange, programme):
        from partnership.programme.models import JointAction

        assert exchange in exchanges.registered()
        found = set(
            JointAction.objects.filter(paragraph__in=exchange.annex_paragraphs).values_list(
                "paragraph", flat=True
            )
        )
        assert found == set(exchange.annex_paragraphs)

    def test_is_installed_under_its_own_name_with_a_title_in_both_languages(self, exchange):
        from django.apps import apps

        assert apps.get_app_config(exchange.name).name == exchange.module
        with translation.override("en"):
            english = str(exchange.title)
        with translation.override("ja"):
            japanese = str(exchange.title)
        assert english and japanese and english != japanese

    # --- data and indicators ------------------------------------------------------------------------

    def test_sample_data_is_there(self, sample):
        assert sample.count() > 0, "sample_data() created nothing"

    def test_indicators_measure_the_sample(self, exchange, sample):
        found = exchange.indicators(self.cycle_year)
        assert found, "an exchange measures something for the Council report: indicators() is empty"
        for indicator in found:
            assert {"name", "value", "unit", "source"} <= set(indicator)
            assert indicator["source"]
            name = indicator["name"]
            assert isinstance(name, str) or {"en", "ja"} <= set(name)
        assert any(indicator["value"] not in (None, 0) for indicator in found), "no indicator sees the data"

    # --- permissions ----------------------------------------------------------------------------------

    def test_an_anonymous_caller_reads_nothing_protected_and_writes_nothing(self, sample):
        before = sample.count()
        for path in sample.protected:
            client, headers = self._client(sample, None)
            assert client.get(path, **headers).status_code == 401, path
        for write in sample.writes:
            assert self._send(sample, None, write).status_code == 401, write.path
        assert sample.count() == before

    def test_the_other_party_cannot_write_and_the_owner_can(self, sample):
        from django.core.exceptions import PermissionDenied

        before = sample.count()
        for write in sample.writes:
            response = self._send(sample, sample.other_party, write)
            assert response.status_code in (403, 404), (write.path, response.status_code, response.content)
        for attempt in sample.service_writes:
            with pytest.raises(PermissionDenied):
                attempt(sample.other_party)
        assert sample.count() == before, "a refused write changed something"
        for write in sample.writes:
            response = self._send(sample, sample.owner, write)
            assert 200 <= response.status_code < 300, (write.path, response.status_code, response.content)

    def test_a_path_that_names_nothing_is_404(self, sample):
        for path in sample.missing:
            client, headers = self._client(sample, sample.owner)
            assert client.get(path, **headers).status_code == 404, path

    # --- pages --------------------------------------------------------------------------------------

    @pytest.mark.parametrize("language", ["en", "ja"])
    def test_pages_render_in_both_languages(self, exchange, sample, language):
        client = Client()
        client.force_login(sample.owner)
        for page in sample.pages:
            response = client.get(f"/{language}/{page.lstrip('/')}")
            assert response.status_code == 200, (page, response.status_code)
            html = response.content.decode()
            assert f'<html lang="{language}"' in html
            if language == "ja":
                with translation.override("ja"):
                    assert str(exchange.title) in html or re.search(r"[\u3040-\u30ff\u4e00-\u9fff]", html)
                assert re.search(r"[\u3040-\u30ff]", html), f"{page}: no Japanese on the Japanese page"

    def test_a_pages_query_count_does_not_grow_with_the_data(self, sample):
        client = Client()
        client.force_login(sample.owner)

        def queries(page: str) -> int:
            with CaptureQueriesContext(connection) as captured:
                assert client.get(f"/en/{page.lstrip('/')}").status_code == 200
            return len(captured)

        before = {page: queries(page) for page in sample.pages}
        sample.more(25)
        after = {page: queries(page) for page in sample.pages}
        for page in sample.pages:
            assert after[page] <= before[page] + self.query_slack, (page, before[page], after[page])

    # --- commands -----------------------------------------------------------------------------------

    def test_its_commands_are_documented(self, exchange):
        from django.core.management import load_command_class

        reference = self.cli_reference()
        for name in exchange.commands:
            load_command_class(exchange.module, name)  # it exists where the exchange says
            heading = f"## partnership {name.replace('_', '-')}"
            assert heading in reference, f"{heading} is missing from docs/cli.md; run `make docs`"

    # --- the Council report ---------------------------------------------------------------------------

    @pytest.mark.parametrize("language", ["en", "ja"])
    def test_report_section_is_well_formed(self, exchange, language):
        section = exchange.report_section(self.cycle_year, language)
        assert section["title"]
        assert all({"label", "value"} <= set(figure) for figure in section.get("figures", []))
        assert isinstance(section.get("events", []), list)
        assert "<script" not in section.get("chart", "")

    @pytest.mark.parametrize("language", ["en", "ja"])
    def test_section_and_indicators_appear_in_the_report(self, exchange, report_cycle, language):
        from django.utils.html import escape

        from partnership.cycle import report

        html = report.render_html(report.build_report(report_cycle), language)
        assert escape(exchange.report_section(report_cycle, language)["title"]) in html
        # Its indicators are marked with the exchange's title in the reader's language, never its app name.
        with translation.override(language):
            title = str(exchange.title)
        if exchange.indicators(report_cycle):
            assert f"<td>{escape(title)}</td>" in html
        assert f"<td>{exchange.name}</td>" not in html

    # --- the ledger -----------------------------------------------------------------------------------

    def test_its_records_make_a_round_trip_between_two_real_nodes(self, exchange, request):
        if not exchange.record_types:
            return  # it shares nothing with the other party's node
        from partnership.ledger import services, sync

        jp_factory = request.getfixturevalue("jp_factory")
        eu_node = request.getfixturevalue("eu_node")
        # The JP node knows this process as its EU peer, so what it seals is sealed to this node's key.
        jp = jp_factory(env={"PARTNERSHIP_PEERS": f"http://127.0.0.1:9 {services.verifier_key()}"})
        eu_node.peer(jp)
        authored = self.author_on_peer(jp)
        (result,) = sync.sync_all()
        assert result.error == "" and result.rejected == 0, result
        self.assert_received(authored)

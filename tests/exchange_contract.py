"""The exchange contract's tests, inherited by every exchange (STYLE.md 4, DESIGN.md "The exchange contract").

    class TestSupplyChainContract(ExchangeContract):
        exchange_class = SupplyChainExchange

A subclass declares its exchange; it inherits the checks that the declaration is well formed and
that its indicators and report section reach the progress report in both languages. The exchange
is registered for each test and unregistered after it, as an AppConfig.ready() would register it.
"""

import pytest

from partnership.programme import exchanges


class ExchangeContract:
    """Base class (not collected: no Test prefix) of an exchange's contract tests."""

    exchange_class: type
    cycle_year = 2026

    @pytest.fixture
    def exchange(self):
        registered = exchanges.register(self.exchange_class())
        yield registered
        exchanges.unregister(registered.name)

    @pytest.fixture
    def report_cycle(self, members):
        from partnership.cycle import services

        services.create_cycle(
            members["jp_secretariat"],
            {
                "year": self.cycle_year,
                "call_opens": f"{self.cycle_year}-01-15",
                "call_closes": f"{self.cycle_year}-03-31",
            },
        )
        return self.cycle_year

    def test_declares_the_joint_actions_it_serves(self, exchange, programme):
        from partnership.programme.models import JointAction

        assert exchange in exchanges.registered()
        found = set(
            JointAction.objects.filter(paragraph__in=exchange.annex_paragraphs).values_list(
                "paragraph", flat=True
            )
        )
        assert found == set(exchange.annex_paragraphs)

    def test_indicators_name_their_value_unit_and_source(self, exchange):
        for indicator in exchange.indicators(self.cycle_year):
            assert {"name", "value", "unit", "source"} <= set(indicator)
            assert indicator["source"]

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
        for indicator in exchange.indicators(report_cycle):
            assert escape(indicator["source"]) in html

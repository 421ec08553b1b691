"""The contract tests can fail: an exchange with no indicators, no sample data or a permission hole
does not pass them (tests/exchange_contract.py)."""

import pytest
from django.core.exceptions import PermissionDenied

from partnership.programme import exchanges
from tests.exchange_contract import ExchangeContract, Sample, Write

FAILS = (AssertionError, NotImplementedError, pytest.fail.Exception)


class Notes(exchanges.Exchange):
    """A minimal exchange (para 61) whose records are kept in a list."""

    name = "test_notes"
    title = "Notes"
    annex_paragraphs = (61,)
    records: list[str] = []

    def indicators(self, cycle_year: int) -> list[dict]:
        return [{"name": "notes", "value": len(self.records), "unit": "notes", "source": "test notes"}]

    def report_section(self, cycle_year: int, language: str) -> dict:
        return {"title": "Notes", "figures": [{"label": "notes", "value": len(self.records)}]}


def write_as_owner_only(owner):
    def attempt(user):
        if user != owner:
            raise PermissionDenied("not yours")
        Notes.records.append("note")

    return attempt


class NotesContract(ExchangeContract):
    """Not collected (no Test prefix): its tests are called below, on broken variants."""

    exchange_class = Notes

    def sample_data(self, members, tmp_path) -> Sample:
        Notes.records[:] = ["first"]
        owner = members["jp_secretariat"]
        return Sample(
            owner=owner,
            other_party=members["eu_secretariat"],
            pages=[],
            count=lambda: len(Notes.records),
            more=lambda n: Notes.records.extend(["more"] * n),
            service_writes=[write_as_owner_only(owner)],
        )


@pytest.fixture
def contract(members, tmp_path):
    contract = NotesContract()
    exchange = exchanges.register(Notes())
    yield contract, exchange, contract.sample_data(members, tmp_path)
    exchanges.unregister(exchange.name)


def test_a_well_formed_exchange_passes(contract):
    tests, exchange, sample = contract
    tests.test_sample_data_is_there(sample)
    tests.test_indicators_measure_the_sample(exchange, sample)
    tests.test_the_other_party_cannot_write_and_the_owner_can(sample)


def test_an_exchange_with_no_indicators_fails(contract):
    tests, exchange, sample = contract
    exchange.indicators = lambda cycle_year: []
    with pytest.raises(FAILS):
        tests.test_indicators_measure_the_sample(exchange, sample)


def test_an_exchange_with_no_sample_data_fails(contract, members, tmp_path):
    tests, exchange, sample = contract
    with pytest.raises(FAILS):
        ExchangeContract().sample_data(members, tmp_path)
    Notes.records.clear()
    with pytest.raises(FAILS):
        tests.test_sample_data_is_there(sample)


def test_an_exchange_with_a_permission_hole_fails(contract):
    tests, exchange, sample = contract
    sample.service_writes = [lambda user: Notes.records.append("anyone's")]
    with pytest.raises(FAILS):
        tests.test_the_other_party_cannot_write_and_the_owner_can(sample)


def test_an_http_write_the_other_party_may_make_fails(contract, client):
    tests, exchange, sample = contract
    # The programme's update form takes any member's update for its own party: not an owner-only write.
    sample.writes = [
        Write(
            "post", "/api/v1/actions/48/updates", {"status": "on_track", "narrative": "x", "language": "en"}
        )
    ]
    sample.auth = None
    with pytest.raises(FAILS):
        tests.test_the_other_party_cannot_write_and_the_owner_can(sample)


def test_an_exchange_that_shares_records_must_prove_their_round_trip(contract):
    tests, exchange, sample = contract
    with pytest.raises(FAILS):
        tests.author_on_peer(None)

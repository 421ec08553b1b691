"""The contract test of the example exchange (docs/adding-an-exchange.md, step 17), and its own tests.

Collected only under `--ds tests.example_exchange.settings` (conftest.py); tests/test_example_exchange.py
runs it so.
"""

import uuid

import pytest
from django.core.exceptions import PermissionDenied
from django.db.models import Sum
from django.utils import timezone

from partnership.errors import Invalid
from partnership.ledger.registry import RecordRejected
from tests.exchange_contract import ExchangeContract, Sample, Write

from . import records, services
from .contract import TrendNotes
from .models import TrendNote

pytestmark = pytest.mark.django_db

NOTE = {"title": "Live shopping", "text": "Sales streamed live grow fast.", "language": "en"}
API = "/api/v1/example-exchange/notes"


def revisions() -> int:
    """Every revision of every note: one signed record each."""
    return TrendNote.objects.aggregate(total=Sum("revision"))["total"] or 0


class TestTrendNotesContract(ExchangeContract):
    exchange_class = TrendNotes
    cycle_year = timezone.now().year

    def sample_data(self, members, tmp_path) -> Sample:
        from partnership.people.services import create_token

        owner = members["jp_secretariat"]

        def more(count: int) -> None:
            for n in range(count):
                services.file_note(owner, {**NOTE, "title": f"Trend {n}"})

        more(2)
        note = TrendNote.objects.first()
        return Sample(
            owner=owner,
            other_party=members["eu_secretariat"],
            pages=["example-exchange/", f"example-exchange/{note.uid}/"],
            count=revisions,
            more=more,
            protected=[API, f"{API}/{note.uid}"],
            writes=[Write("put", f"{API}/{note.uid}", {**NOTE, "text": "Revised."})],
            service_writes=[lambda user: services.revise_note(user, note.uid, {**NOTE, "text": "Mine now."})],
            missing=[f"{API}/{uuid.uuid4()}", f"{API}/not-a-uid"],
            auth=lambda user: {"Authorization": "Bearer " + create_token(user, "test")[1]},
        )

    def cli_reference(self) -> str:
        # The example is not shipped, so the committed docs/cli.md does not name it: read what
        # `make docs` would write for an installation that has it.
        from partnership.web.management.commands.gendocs import cli_reference

        return cli_reference()

    def author_on_peer(self, node) -> str:
        return node.post(API, node.secretariat_token, NOTE)["uid"]

    def assert_received(self, authored: str) -> None:
        from partnership.people.models import Organisation
        from partnership.people.services import create_member

        copy = TrendNote.objects.get(uid=authored)
        assert (copy.signed_by, copy.party.code, copy.title) == ("JP", "JP", NOTE["title"])
        # Read-only here, even for the author organisation's members: it changes on the JP node only.
        author = create_member(
            "jp-reader",
            "a-long-password-1",
            Organisation.objects.get(code="jp-digital-agency"),
            "secretariat",
        )
        with pytest.raises(PermissionDenied):
            services.revise_note(author, copy.uid, NOTE)


def test_a_note_without_a_title_is_refused_naming_the_field(members):
    with pytest.raises(Invalid) as refused:
        services.file_note(members["jp_lead"], {**NOTE, "title": "  "})
    assert set(refused.value.fields) == {"title"}
    assert not TrendNote.objects.exists()


def test_a_revision_is_signed_and_applied_once_on_the_peer(members, peer_log):
    record, entry = peer_log(records.NOTE, {"uid": str(uuid.uuid4()), **NOTE, "revision": 2}, party="EU")
    records.apply_note(record, entry)
    records.apply_note(record, entry)  # the same record again changes nothing
    (copy,) = TrendNote.objects.all()
    assert (copy.revision, copy.signed_by, copy.organisation.code) == (2, "EU", "eu-dg-connect")


def test_a_peer_note_of_an_organisation_of_the_other_party_is_refused(members, peer_log):
    record, entry = peer_log(
        records.NOTE, {"uid": str(uuid.uuid4()), **NOTE, "revision": 1}, party="EU", organisation="jp-mic"
    )
    with pytest.raises(RecordRejected):
        records.apply_note(record, entry)
    assert not TrendNote.objects.exists()


def test_a_peer_note_with_a_revision_past_what_the_column_holds_is_refused(members, peer_log):
    record, entry = peer_log(records.NOTE, {"uid": str(uuid.uuid4()), **NOTE, "revision": 2**31}, party="EU")
    with pytest.raises(RecordRejected, match="revision"):
        records.apply_note(record, entry)
    assert not TrendNote.objects.exists()

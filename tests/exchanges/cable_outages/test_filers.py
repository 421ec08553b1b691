"""Responsible-filer designations and the party's own profile (issue 17 item 3, the rest): the
secretariat designates, changes and revokes; each is a signed `cable_outages.filer` record that the other
party's node applies read-only; the profile's revisions refuse a stale edit."""

import json

import pytest
from django.utils import timezone

from partnership.errors import Conflict, Invalid, NotFound, PermissionDenied
from partnership.exchanges.cable_outages import filers, queries, services
from partnership.exchanges.cable_outages.models import PartyProfile, ResponsibleFiler
from partnership.ledger.models import LogEntry
from partnership.ledger.records import format_time
from partnership.ledger.registry import RecordRejected

from .test_outages import CABLE, report

pytestmark = pytest.mark.django_db


def test_a_designation_its_change_and_its_revocation_are_each_a_signed_record(operators, members):
    secretariat = members["jp_secretariat"]
    before = LogEntry.objects.count()
    first = services.designate_filer(secretariat, CABLE, "jp-cable-a", ["eu-cable"])
    record = json.loads(first.ledger_entry.record)
    assert record["type"] == filers.FILER and record["party"] == "JP"
    assert record["content"] == {
        "uid": str(filers.designation_uid("JP", CABLE)),
        "revision": 1,
        "cable": CABLE,
        "cable_name": first.cable_name,
        "organisation": "jp-cable-a",
        "co_owners": ["eu-cable"],
        "revoked": False,
    }
    again = services.designate_filer(secretariat, CABLE, "jp-cable-a", ["eu-cable"])
    assert again.revision == 1 and LogEntry.objects.count() == before + 1  # nothing changed: nothing signed
    changed = services.designate_filer(secretariat, CABLE, "jp-cable-b", ["eu-cable", "jp-cable-a"])
    assert changed.revision == 2 and changed.uid == first.uid
    with pytest.raises(PermissionDenied):
        services.report_outage(operators["jp-cable-a"], report())  # no longer the filer
    revoked = services.revoke_filer(secretariat, CABLE)
    content = json.loads(revoked.ledger_entry.record)["content"]
    assert content["revoked"] is True and content["revision"] == 3
    assert queries.designations(secretariat) == []
    assert services.report_outage(operators["jp-cable-a"], report()).organisation.code == "jp-cable-a"
    with pytest.raises(NotFound):
        services.revoke_filer(secretariat, CABLE)
    assert LogEntry.objects.count() == before + 4  # three designation revisions and the report


@pytest.mark.parametrize(
    ("cable", "organisation", "co_owners", "field"),
    [
        ("no-such-cable", "jp-cable-a", [], "cable"),
        (CABLE, "eu-cable", [], "organisation"),  # the other party's operator
        (CABLE, "jp-digital-agency", [], "organisation"),  # not an operator
        (CABLE, "jp-cable-a", ["eu-cable", "eu-dg-connect"], "co_owners"),
        (CABLE, "jp-cable-a", ["nobody"], "co_owners"),
    ],
)
def test_a_bad_designation_is_refused_naming_the_field(
    operators, members, cable, organisation, co_owners, field
):
    before = LogEntry.objects.count()
    with pytest.raises(Invalid) as error:
        services.designate_filer(members["jp_secretariat"], cable, organisation, co_owners)
    assert field in error.value.fields
    assert not ResponsibleFiler.objects.exists() and LogEntry.objects.count() == before


def test_only_the_designating_party_changes_or_revokes_its_designation(operators, members, settings):
    services.designate_filer(members["jp_secretariat"], CABLE, "jp-cable-a", [])
    for user in (
        members["eu_secretariat"],
        members["jp_lead"],
        members["jp_stakeholder"],
        operators["jp-cable-a"],
        None,
    ):
        with pytest.raises(PermissionDenied):
            services.revoke_filer(user, CABLE)
        with pytest.raises(PermissionDenied):
            services.designate_filer(user, CABLE, "eu-cable", [])
    settings.NODE_PARTY = "EU"  # the JP secretariat on the EU's node
    with pytest.raises(PermissionDenied):
        services.revoke_filer(members["jp_secretariat"], CABLE)
    held = ResponsibleFiler.objects.get()
    assert (held.organisation.code, held.revision, held.revoked_at) == ("jp-cable-a", 1, None)


def test_the_party_profile_refuses_a_stale_revision(operators, members):
    secretariat = members["jp_secretariat"]
    stages = [{"stage": "notification", "hours": 2}]
    with pytest.raises(Conflict):
        services.set_party_profile(secretariat, stages, revision=1)  # there is none yet: revision 0
    first = services.set_party_profile(secretariat, stages, revision=0)
    assert first.revision == 1
    second = services.set_party_profile(secretariat, [{"stage": "notification", "hours": 3}], revision=1)
    assert second.revision == 2
    with pytest.raises(Conflict):
        services.set_party_profile(secretariat, [{"stage": "notification", "hours": 9}], revision=1)
    assert PartyProfile.objects.get().stages[0]["hours"] == 3
    # The EU's secretariat sets the EU's profile, never the JP's.
    services.set_party_profile(members["eu_secretariat"], [{"stage": "notification", "hours": 12}])
    assert PartyProfile.objects.get(party__code="JP").stages[0]["hours"] == 3


# --- the other party's designations, as the ledger brings them ----------------------------------------


def _peer_designation(peer_log, **changes):
    content = {
        "uid": str(filers.designation_uid("EU", CABLE)),
        "revision": 1,
        "cable": CABLE,
        "cable_name": "Demo Asia-Europe 1",
        "organisation": "eu-cable",
        "co_owners": ["jp-cable-b"],
        "revoked": False,
        **changes,
    }
    return peer_log(filers.FILER, content, time=format_time(timezone.now()))


def test_a_peer_designation_is_applied_read_only_and_binds_this_nodes_operators(operators, members, peer_log):
    record, entry = _peer_designation(peer_log)
    filers.apply_filer(record, entry)
    filers.apply_filer(record, entry)  # idempotent
    held = ResponsibleFiler.objects.get()
    assert (held.party.code, held.organisation.code, held.signed_by, held.cable.slug) == (
        "EU",
        "eu-cable",
        "EU",
        CABLE,
    )
    assert [org.code for org in held.co_owners.all()] == ["jp-cable-b"]
    # This node's operators do not report on a cable the EU's operator files for.
    with pytest.raises(PermissionDenied):
        services.report_outage(operators["jp-cable-a"], report())
    # Nobody here changes it: not even the JP secretariat, whose node did not sign it.
    with pytest.raises(PermissionDenied):
        services.revoke_filer(members["jp_secretariat"], CABLE)
    with pytest.raises(PermissionDenied):
        services.designate_filer(members["jp_secretariat"], CABLE, "jp-cable-a", [])
    # Its revocation arrives; an older revision arriving again changes nothing.
    record, entry = _peer_designation(peer_log, revision=2, revoked=True)
    filers.apply_filer(record, entry)
    old, old_entry = _peer_designation(peer_log, revision=1)
    filers.apply_filer(old, old_entry)
    assert ResponsibleFiler.objects.get().revoked_at is not None
    assert services.report_outage(operators["jp-cable-a"], report()).organisation.code == "jp-cable-a"


@pytest.mark.parametrize(
    "changes",
    [
        {"uid": str(filers.designation_uid("JP", CABLE))},  # not the EU's designation's uid
        {"organisation": "jp-cable-a"},  # the filer is not the signing party's
        {"organisation": "eu-dg-connect"},  # not an operator
        {"co_owners": ["nobody"]},
        {"co_owners": "jp-cable-b"},
        {"revoked": "no"},
        {"revision": 0},
        {"cable": ""},
    ],
)
def test_a_forged_peer_designation_is_refused(operators, peer_log, changes):
    record, entry = _peer_designation(peer_log, **changes)
    with pytest.raises(RecordRejected):
        filers.apply_filer(record, entry)
    assert not ResponsibleFiler.objects.exists()


def test_a_peer_designation_for_a_cable_this_party_designated_is_refused(operators, members, peer_log):
    services.designate_filer(members["jp_secretariat"], CABLE, "jp-cable-a", [])
    record, entry = _peer_designation(peer_log)
    with pytest.raises(RecordRejected):
        filers.apply_filer(record, entry)
    assert ResponsibleFiler.objects.get().party.code == "JP"


def test_a_peer_record_cannot_overwrite_this_nodes_designation(operators, members, peer_log):
    """Even under this node's own designation's uid (a replay of this party's record under the peer's
    key), the copy this node signed is not the peer's to change."""
    services.designate_filer(members["jp_secretariat"], CABLE, "jp-cable-a", [])
    record, entry = peer_log(
        filers.FILER,
        {
            "uid": str(filers.designation_uid("JP", CABLE)),
            "revision": 5,
            "cable": CABLE,
            "cable_name": "x",
            "organisation": "jp-cable-b",
            "co_owners": [],
            "revoked": True,
        },
        party="JP",
        organisation="jp-digital-agency",
    )
    entry.log = "JP"
    with pytest.raises(RecordRejected):
        filers.apply_filer(record, entry)
    assert ResponsibleFiler.objects.get().revision == 1

"""Who reads what the ledger logs (issue 12, item 2): the rules each record type hands to the ledger.

The write matrix is in test_permissions.py; these are the read rules, asked with any user or none.
"""

import pytest
from django.contrib.auth.models import AnonymousUser, User

from partnership.ledger import registry
from partnership.people.permissions import can_read_outcomes, can_read_progress, can_read_sealed_records
from tests.conftest import MEMBERS

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("name", sorted(MEMBERS))
def test_every_member_reads_progress_and_outcomes_only_secretariats_the_sealed_envelopes(members, name):
    user = members[name]
    assert can_read_progress(user) and can_read_outcomes(user)
    assert can_read_sealed_records(user) == (MEMBERS[name][1] == "secretariat")


@pytest.mark.parametrize("rule", [can_read_progress, can_read_outcomes, can_read_sealed_records])
def test_the_public_an_account_of_no_party_and_a_deactivated_member_read_none(members, rule):
    nobody = User.objects.create_user("no-party", password="x" * 20)
    gone = members["jp_secretariat"]
    gone.is_active = False
    gone.save()
    for user in (None, AnonymousUser(), nobody, User.objects.get(pk=gone.pk)):
        assert not rule(user)


@pytest.mark.parametrize(
    "record_type, rule",
    [
        ("programme.progress_update", can_read_progress),
        ("programme.deliverable", can_read_progress),
        ("programme.indicator", can_read_progress),
        ("programme.indicator_value", can_read_progress),
        ("cycle.outcome", can_read_outcomes),
        ("threat_intel.objects", can_read_sealed_records),
        ("threat_intel.deletion", can_read_sealed_records),
    ],
)
def test_each_record_type_is_registered_with_its_rule(members, record_type, rule):
    for user in [AnonymousUser(), *members.values()]:
        assert registry.readable_by(record_type, user) == rule(user)


def test_every_registered_record_type_declares_its_readers():
    # A record type cannot be registered without a rule (keyword required), so none is public by omission.
    assert set(registry.record_types()) == set(registry._readers)
    assert not registry.readable_by("unregistered.type", AnonymousUser())
    assert registry.readable_by("ledger.key_rotation", AnonymousUser())


def test_a_platforms_account_reads_what_the_public_reads_not_what_members_read(members, token_for, client):
    """An online platform files its statements of reasons (paras 63-64); it is a regulated firm, not a
    member: progress, meetings, monitoring series and firm-level registers stay closed to it."""
    from partnership.people.models import Organisation, Party
    from partnership.people.permissions import (
        can_read_monitoring_series,
        can_read_register_records,
        member_for,
    )
    from partnership.people.services import create_member

    platform = Organisation.objects.create(
        code="eu-some-platform",
        party=Party.objects.get(code="EU"),
        kind=Organisation.Kind.PLATFORM,
        name_en="P",
    )
    user = create_member("some-platform", "x" * 20, platform, "platform")
    assert member_for(user) is None
    for rule in (can_read_progress, can_read_outcomes, can_read_monitoring_series, can_read_register_records):
        assert not rule(user)
    token = token_for(user)
    for path in (
        "/api/v1/updates",
        "/api/v1/deliverables",
        "/api/v1/cycles/2026/meetings",
        "/api/v1/supply-chain/series",
        "/api/v1/supply-chain/investments",
    ):
        response = client.get(path, HTTP_AUTHORIZATION=token)
        assert response.status_code in (401, 403), (path, response.status_code)
    assert client.get("/api/v1/actions", HTTP_AUTHORIZATION=token).status_code == 200  # public

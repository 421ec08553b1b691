"""A platform's month of counts, signed by its party's secretariat for the other party, and applied
from a peer's log as a read-only copy."""

import datetime
import uuid

import pytest
from django.core.exceptions import PermissionDenied

from partnership.errors import Invalid
from partnership.exchanges.platform_reports import records, services
from partnership.exchanges.platform_reports.models import MonthlyRollup
from partnership.ledger.registry import RecordRejected

pytestmark = pytest.mark.django_db

MONTH = datetime.date(2025, 9, 1)


@pytest.fixture
def filed(platforms, generate):
    statements = [generate.statement(day=MONTH + datetime.timedelta(days=n)) for n in range(12)]
    statements.append(generate.statement(day=datetime.date(2025, 10, 1)))  # the next month: not counted
    services.file_statements(platforms["eu-platform"], {"statements": statements})
    return statements[:12]


def test_a_secretariat_signs_its_platforms_month_with_what_was_filed(members, filed):
    signed = services.close_month(members["eu_secretariat"], "2025-09")
    by_platform = {month.platform_code: month for month in signed}
    assert set(by_platform) == {"eu-platform", "eu-other-platform"}  # its party's platforms only
    month = by_platform["eu-platform"]
    assert month.statements == 12 and month.ledger_entry is not None
    expected: dict[str, int] = {}
    for statement in filed:
        expected[statement["category"]] = expected.get(statement["category"], 0) + 1
    assert month.counts["category"] == dict(sorted(expected.items()))
    assert sum(month.counts["content_type"].values()) == sum(len(set(s["content_type"])) for s in filed)
    # Closing again changes nothing; a late statement makes a new revision.
    assert services.close_month(members["eu_secretariat"], "2025-09") == []


def test_a_late_statement_makes_a_new_revision(members, platforms, generate, filed):
    services.close_month(members["eu_secretariat"], "2025-09")
    services.file_statements(platforms["eu-platform"], {"statements": [generate.statement(day=MONTH)]})
    (again,) = [
        m
        for m in services.close_month(members["eu_secretariat"], "2025-09")
        if m.platform_code == "eu-platform"
    ]
    assert (again.revision, again.statements) == (2, 13)


@pytest.mark.parametrize("who", ["eu-platform", "eu_stakeholder", "eu_lead"])
def test_only_a_secretariat_closes_a_month(members, platforms, filed, who):
    user = platforms.get(who) or members[who]
    with pytest.raises(PermissionDenied):
        services.close_month(user, "2025-09")
    assert not MonthlyRollup.objects.exists()


@pytest.mark.parametrize("month", ["2025-13", "2025-9", "September", "", "9999-01"])
def test_a_month_that_is_not_one_or_not_over_is_refused(members, month):
    with pytest.raises(Invalid):
        services.close_month(members["eu_secretariat"], month)


def test_a_peers_month_is_applied_once_read_only(members, peer_log):
    content = {
        "uid": str(uuid.uuid4()),
        "platform": "jp-platform",
        "platform_name": "A Japanese platform",
        "month": "2025-09",
        "statements": 3,
        "counts": {"category": {"STATEMENT_CATEGORY_VIOLENCE": 3}},
        "revision": 1,
    }
    record, entry = peer_log(records.MONTH, content, party="JP")
    records.apply_month(record, entry)
    records.apply_month(record, entry)
    (copy,) = MonthlyRollup.objects.all()
    assert (copy.signed_by, copy.party.code, copy.statements) == ("JP", "JP", 3)


@pytest.mark.parametrize(
    "change",
    [
        {"month": "2025-9"},
        {"statements": -1},
        {"statements": True},
        {"counts": {"category": {"X": "three"}}},
        {"counts": ["not", "an", "object"]},
        {"platform": ""},
        {"uid": "not-a-uuid"},
    ],
)
def test_a_peers_month_with_bad_content_is_refused(members, peer_log, change):
    content = {
        "uid": str(uuid.uuid4()),
        "platform": "jp-platform",
        "platform_name": "A Japanese platform",
        "month": "2025-09",
        "statements": 3,
        "counts": {},
        "revision": 1,
        **change,
    }
    record, entry = peer_log(records.MONTH, content, party="JP")
    with pytest.raises(RecordRejected):
        records.apply_month(record, entry)
    assert not MonthlyRollup.objects.exists()

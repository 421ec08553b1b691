"""The programme's rules: append-only updates, validation that names the field, no lost edits."""

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from partnership.errors import (
    Conflict,
    Invalid,
    NotFound,
    PermissionDenied,
    PreconditionFailed,
    PreconditionRequired,
)
from partnership.programme import services
from partnership.programme.models import (
    Comment,
    Deliverable,
    Indicator,
    IndicatorValue,
    ProgressUpdate,
    current_period,
)
from tests.factories import IndicatorFactory, IndicatorValueFactory

UPDATE = {"status": "on_track", "narrative": "First expert meeting held in Tokyo.", "language": "en"}
VALUE = {"period_start": "2025-01-01", "period_end": "2025-12-31", "value": "4", "source": "minutes"}


def counts() -> tuple[int, ...]:
    return tuple(
        model.objects.count() for model in (ProgressUpdate, Deliverable, Indicator, IndicatorValue, Comment)
    )


# --- progress updates are append-only -----------------------------------------------------------------


def test_a_correction_is_a_new_version_and_the_history_is_kept(members):
    author = members["jp_secretariat"]
    first = services.file_update(author, 48, UPDATE)
    second = services.file_update(author, 48, {**UPDATE, "status": "at_risk", "narrative": "Corrected."})
    third = services.file_update(members["jp_lead"], 48, {**UPDATE, "status": "done", "narrative": "Done."})
    assert [first.version, second.version, third.version] == [1, 2, 3]
    history = ProgressUpdate.objects.filter(action__paragraph=48).order_by("version")
    assert [(u.status, u.narrative) for u in history] == [
        ("on_track", "First expert meeting held in Tokyo."),
        ("at_risk", "Corrected."),
        ("done", "Done."),
    ]
    assert {u.period for u in history} == {current_period()}


def test_versions_count_per_party_and_period(members):
    services.file_update(members["jp_secretariat"], 48, UPDATE)
    eu = services.file_update(members["eu_secretariat"], 48, UPDATE)
    earlier = services.file_update(members["jp_secretariat"], 48, {**UPDATE, "period": 2023})
    assert (eu.party.code, eu.version) == ("EU", 1)
    assert (earlier.period, earlier.version) == (2023, 1)


def test_a_filed_update_cannot_be_changed_or_deleted(members):
    update = services.file_update(members["jp_secretariat"], 48, UPDATE)
    update.narrative = "Rewritten history."
    with pytest.raises(ValueError, match="append-only"):
        update.save()
    with pytest.raises(ValueError, match="append-only"):
        update.delete()
    stored = ProgressUpdate.objects.get()
    assert stored.narrative == UPDATE["narrative"]


def test_the_period_defaults_to_the_current_year(members):
    update = services.file_update(members["eu_secretariat"], 72, UPDATE)
    assert update.period == timezone.now().year == current_period()


def test_a_past_period_may_be_reported(members):
    assert services.file_update(members["eu_secretariat"], 72, {**UPDATE, "period": 2022}).period == 2022


@pytest.mark.parametrize("years_ahead", [1, 2, 10])
def test_a_future_period_is_refused(members, years_ahead):
    period = current_period() + years_ahead
    if period <= services.latest_open_period():  # New Year's Eve: the next cycle has begun in Tokyo
        period += 1
    with pytest.raises(Invalid) as raised:
        services.file_update(members["eu_secretariat"], 72, {**UPDATE, "period": period})
    assert "period" in raised.value.fields
    assert str(period) in raised.value.fields["period"]
    assert not ProgressUpdate.objects.exists()


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"status": "great"}, "status"),
        ({"status": ""}, "status"),
        ({"narrative": ""}, "narrative"),
        ({"narrative": "   "}, "narrative"),
        ({"narrative": "x" * 10001}, "narrative"),
        ({"language": "fr"}, "language"),
        ({"period": "last year"}, "period"),
        ({"period": 2021}, "period"),  # before the partnership began (12 May 2022)
        ({"colour": "red"}, "colour"),
        ({"version": 7}, "version"),
    ],
)
def test_invalid_update_names_the_field_and_changes_nothing(members, changes, field):
    before = counts()
    with pytest.raises(Invalid) as raised:
        services.file_update(members["jp_secretariat"], 48, {**UPDATE, **changes})
    assert field in raised.value.fields
    assert field in raised.value.message
    assert counts() == before


def test_a_missing_field_is_named(members):
    with pytest.raises(Invalid) as raised:
        services.file_update(members["jp_secretariat"], 48, {"narrative": "No status."})
    assert set(raised.value.fields) == {"status", "language"}


def test_an_update_on_an_unknown_paragraph_is_not_found(members):
    with pytest.raises(NotFound):
        services.file_update(members["jp_secretariat"], 12, UPDATE)
    with pytest.raises(NotFound):
        services.file_update(members["jp_secretariat"], 84, UPDATE)


def test_the_public_files_nothing(programme):
    from django.contrib.auth.models import AnonymousUser

    with pytest.raises(PermissionDenied):
        services.file_update(AnonymousUser(), 48, UPDATE)
    with pytest.raises(PermissionDenied):
        services.add_comment(None, 48, {"body": "hi", "language": "en"})
    assert counts() == (0, 0, 0, 0, 0)


# --- deliverables: one edit wins, none is lost ----------------------------------------------------------


DELIVERABLE = {"title": "Joint white paper on 6G", "language": "en", "due_period": 2027}


def test_a_deliverable_is_created_for_the_authors_party(members):
    deliverable = services.create_deliverable(members["jp_lead"], 48, DELIVERABLE)
    assert (deliverable.party.code, deliverable.organisation.code) == ("JP", "jp-mic")
    assert (deliverable.status, deliverable.revision) == ("planned", 1)


def test_a_deliverable_may_be_owned_by_another_organisation_of_the_party(members):
    deliverable = services.create_deliverable(
        members["jp_secretariat"], 48, {**DELIVERABLE, "organisation": "jp-mic"}
    )
    assert deliverable.organisation.code == "jp-mic"


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"title": ""}, "title"),
        ({"title": "x" * 301}, "title"),
        ({"due_period": None}, "due_date"),  # neither a due date nor a due cycle
        ({"due_date": "31/12/2027"}, "due_date"),
        ({"due_period": 1999}, "due_period"),
        ({"status": "forgotten"}, "status"),
        ({"evidence": ["javascript:alert(1)"]}, "evidence"),
        ({"evidence": "not-a-link"}, "evidence"),
        ({"organisation": "nobody"}, "organisation"),
        ({"owner": "jp-mic"}, "owner"),
    ],
)
def test_invalid_deliverable_names_the_field_and_changes_nothing(members, changes, field):
    data = {key: value for key, value in {**DELIVERABLE, **changes}.items() if value is not None}
    before = counts()
    with pytest.raises(Invalid) as raised:
        services.create_deliverable(members["jp_secretariat"], 48, data)
    assert field in raised.value.fields
    assert counts() == before


def test_two_edits_with_the_same_etag_exactly_one_wins(members):
    deliverable = services.create_deliverable(members["jp_secretariat"], 48, DELIVERABLE)
    read = services.etag(deliverable)
    services.change_deliverable(members["jp_secretariat"], deliverable.uid, {"status": "in_progress"}, read)
    with pytest.raises(PreconditionFailed):
        services.change_deliverable(members["jp_lead"], deliverable.uid, {"status": "dropped"}, read)
    deliverable.refresh_from_db()
    assert (deliverable.status, deliverable.revision) == ("in_progress", 2)
    assert services.etag(deliverable) != read


def test_a_change_without_the_etag_is_refused(members):
    deliverable = services.create_deliverable(members["jp_secretariat"], 48, DELIVERABLE)
    for if_match in (None, ""):
        with pytest.raises(PreconditionRequired):
            services.change_deliverable(
                members["jp_secretariat"], deliverable.uid, {"status": "dropped"}, if_match
            )
    deliverable.refresh_from_db()
    assert (deliverable.status, deliverable.revision) == ("planned", 1)


def test_a_change_keeps_the_fields_it_does_not_name(members):
    deliverable = services.create_deliverable(
        members["jp_secretariat"],
        48,
        {**DELIVERABLE, "description": "Drafted with the SNS JU.", "evidence": ["https://example.org/a"]},
    )
    changed = services.change_deliverable(
        members["jp_secretariat"], deliverable.uid, {"status": "delivered"}, services.etag(deliverable)
    )
    assert (changed.title, changed.description, changed.evidence) == (
        DELIVERABLE["title"],
        "Drafted with the SNS JU.",
        ["https://example.org/a"],
    )
    assert (changed.status, changed.revision) == ("delivered", 2)


def test_an_invalid_change_names_the_field_and_changes_nothing(members):
    deliverable = services.create_deliverable(members["jp_secretariat"], 48, DELIVERABLE)
    with pytest.raises(Invalid) as raised:
        services.change_deliverable(
            members["jp_secretariat"], deliverable.uid, {"status": "lost"}, services.etag(deliverable)
        )
    assert "status" in raised.value.fields
    deliverable.refresh_from_db()
    assert (deliverable.status, deliverable.revision) == ("planned", 1)


def test_an_unknown_deliverable_is_not_found(members):
    for uid in ("00000000-0000-0000-0000-000000000000", "not-a-uuid"):
        with pytest.raises(NotFound):
            services.change_deliverable(members["jp_secretariat"], uid, {"status": "dropped"}, '"x.1"')


# --- indicators --------------------------------------------------------------------------------------


INDICATOR = {
    "title": "Researchers exchanged",
    "language": "en",
    "unit": "people",
    "ascending": True,
    "baseline_value": "0",
    "baseline_year": 2022,
    "target_value": "40",
    "target_date": "2027-12-31",
}


def test_an_indicator_change_needs_the_current_etag(members):
    indicator = services.create_indicator(members["eu_lead"], 72, INDICATOR)
    read = services.etag(indicator)
    services.change_indicator(members["eu_secretariat"], indicator.uid, {"target_value": "50"}, read)
    with pytest.raises(PreconditionFailed):
        services.change_indicator(members["eu_lead"], indicator.uid, {"target_value": "60"}, read)
    with pytest.raises(PreconditionRequired):
        services.change_indicator(members["eu_lead"], indicator.uid, {"target_value": "60"}, None)
    indicator.refresh_from_db()
    assert (indicator.target_value, indicator.revision) == (Decimal("50"), 2)


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"baseline_year": 1889}, "baseline_year"),
        ({"baseline_value": "many"}, "baseline_value"),
        ({"target_date": "soon"}, "target_date"),
        ({"unit": ""}, "unit"),
    ],
)
def test_invalid_indicator_names_the_field(members, changes, field):
    with pytest.raises(Invalid) as raised:
        services.create_indicator(members["eu_lead"], 72, {**INDICATOR, **changes})
    assert field in raised.value.fields
    assert not Indicator.objects.exists()


def test_a_value_for_a_new_period_is_recorded(members):
    indicator = IndicatorFactory(action_id=services.get_action(48).pk)
    value, created = services.record_indicator_value(members["jp_lead"], indicator.uid, VALUE)
    assert created
    assert (value.value, value.recorded_by) == (Decimal("4"), members["jp_lead"])


def test_a_different_value_for_the_same_period_is_a_conflict(members):
    indicator = IndicatorFactory(action_id=services.get_action(48).pk)
    services.record_indicator_value(members["jp_lead"], indicator.uid, VALUE)
    with pytest.raises(Conflict):
        services.record_indicator_value(members["jp_secretariat"], indicator.uid, {**VALUE, "value": "5"})
    with pytest.raises(Conflict):
        services.record_indicator_value(
            members["jp_secretariat"], indicator.uid, {**VALUE, "source": "press"}
        )
    assert [v.value for v in IndicatorValue.objects.all()] == [Decimal("4")]


def test_the_same_value_again_is_harmless(members):
    indicator = IndicatorFactory(action_id=services.get_action(48).pk)
    services.record_indicator_value(members["jp_lead"], indicator.uid, VALUE)
    value, created = services.record_indicator_value(
        members["jp_lead"], indicator.uid, {**VALUE, "value": "4.0000"}
    )
    assert not created
    assert value.value == Decimal("4")
    assert IndicatorValue.objects.count() == 1


def test_a_replacement_is_explicit(members):
    indicator = IndicatorFactory(action_id=services.get_action(48).pk)
    IndicatorValueFactory(
        indicator=indicator, period_start=datetime.date(2025, 1, 1), period_end=datetime.date(2025, 12, 31)
    )
    value, created = services.record_indicator_value(
        members["jp_secretariat"], indicator.uid, {**VALUE, "value": "9"}, replace=True
    )
    assert not created
    assert IndicatorValue.objects.get().value == Decimal("9")


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"period_end": "2024-12-31"}, "period_end"),  # before its start
        ({"value": "four"}, "value"),
        ({"period_start": ""}, "period_start"),
        ({"source": ""}, "source"),
    ],
)
def test_an_invalid_value_names_the_field(members, changes, field):
    indicator = IndicatorFactory(action_id=services.get_action(48).pk)
    with pytest.raises(Invalid) as raised:
        services.record_indicator_value(members["jp_lead"], indicator.uid, {**VALUE, **changes})
    assert field in raised.value.fields
    assert not IndicatorValue.objects.exists()


# --- comments --------------------------------------------------------------------------------------


def test_a_comment_is_posted_as_the_authors_organisation(members):
    comment = services.add_comment(
        members["eu_member_state"], 72, {"body": "Please consult us.", "language": "en"}
    )
    assert comment.organisation.code == "eu-member-states"


@pytest.mark.parametrize(("changes", "field"), [({"body": ""}, "body"), ({"language": "de"}, "language")])
def test_an_invalid_comment_names_the_field(members, changes, field):
    with pytest.raises(Invalid) as raised:
        services.add_comment(members["jp_stakeholder"], 48, {"body": "Good.", "language": "en", **changes})
    assert field in raised.value.fields
    assert not Comment.objects.exists()


def test_writing_as_the_other_party_or_its_organisation_is_forbidden(members):
    jp = members["jp_secretariat"]
    with pytest.raises(PermissionDenied, match="your own party"):
        services.file_update(jp, 48, {"status": "done", "narrative": "x", "language": "en", "party": "EU"})
    with pytest.raises(PermissionDenied, match="eu-dg-connect is not an organisation of your party"):
        services.create_deliverable(jp, 48, {**DELIVERABLE, "organisation": "eu-dg-connect"})
    assert not ProgressUpdate.objects.exists() and not Deliverable.objects.exists()

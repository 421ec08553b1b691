"""The pages: public and member views in English and Japanese, forms without JavaScript, and limits."""

import datetime
import html
import re

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from partnership.people.models import Organisation, Party
from partnership.programme import services
from partnership.programme.models import (
    Comment,
    Deliverable,
    Indicator,
    IndicatorValue,
    JointAction,
    ProgressUpdate,
    current_period,
)
from tests.factories import DeliverableFactory, IndicatorFactory
from tests.helpers import signed_in

UPDATE = {"status": "on_track", "narrative": "Expert meeting held in Brussels.", "language": "en"}
SCRIPT = "<script>alert('owned')</script>"


def text(response) -> str:
    return response.content.decode()


def assert_no_trace(response) -> None:
    body = text(response)
    assert "Traceback" not in body
    assert 'File "' not in body


# --- public pages, in both languages -----------------------------------------------------------------


@pytest.mark.parametrize("language", ["en", "ja"])
@pytest.mark.parametrize(
    "path", ["", "dashboard/", "search/?q=semiconductor", "areas/privacy/", "actions/46/", "login/"]
)
def test_public_pages(client, programme, language, path):
    response = client.get(f"/{language}/{path}")
    assert response.status_code == 200
    assert f'<html lang="{language}">' in text(response)


def test_the_home_page_lists_every_action(client, programme):
    body = text(client.get("/en/"))
    for paragraph in range(46, 84):
        assert f'href="/en/actions/{paragraph}/"' in body


def test_the_japanese_page_shows_the_japanese_title_and_the_english_text(client, programme):
    action = JointAction.objects.get(paragraph=48)
    body = text(client.get("/ja/actions/48/"))
    assert html.escape(action.title_ja) in body
    assert html.escape(action.text_en[:60]) in body  # the treaty text exists in English only
    assert html.escape(action.title_en) not in body.split("<main", 1)[1].split("</h1>", 1)[0]


def test_the_public_sees_no_progress(client, members):
    services.file_update(members["jp_secretariat"], 48, {**UPDATE, "narrative": "Confidential draft."})
    for path in ("/en/actions/48/", "/en/dashboard/", "/en/areas/5g-b5g/", "/en/search/?q=Confidential"):
        response = client.get(path)
        assert response.status_code == 200
        assert "Confidential draft." not in text(response)
        assert "on track" not in text(response)


def test_an_account_of_no_party_sees_no_progress(members):
    from django.contrib.auth.models import User

    services.file_update(members["jp_secretariat"], 48, UPDATE)
    client = signed_in(User.objects.create_user("operator"))
    for path in ("/en/actions/48/", "/en/areas/5g-b5g/", "/en/dashboard/"):
        assert "badge-on_track" not in text(client.get(path)), path


def test_an_unknown_paragraph_is_a_friendly_404(client, programme):
    for path in ("/en/actions/99/", "/ja/actions/12/", "/en/areas/nowhere/", "/en/no-such-page/"):
        response = client.get(path)
        assert response.status_code == 404, path
        assert "<h1>" in text(response)
        assert_no_trace(response)


def test_member_pages_answer_404_for_an_unknown_paragraph(members):
    client = signed_in(members["jp_secretariat"])
    assert client.get("/en/actions/99/update/").status_code == 404
    assert client.get("/en/actions/99/deliverables/new/").status_code == 404


# --- member pages -----------------------------------------------------------------------------------


@pytest.mark.parametrize("language", ["en", "ja"])
def test_member_pages(members, language):
    deliverable = DeliverableFactory(action=JointAction.objects.get(paragraph=48))
    indicator = IndicatorFactory(action=JointAction.objects.get(paragraph=48))
    client = signed_in(members["jp_secretariat"])
    for path in (
        "dashboard/",
        "actions/48/",
        "actions/48/update/",
        "actions/48/deliverables/new/",
        f"actions/48/deliverables/{deliverable.uid}/",
        f"actions/48/indicators/{indicator.uid}/value/",
        "areas/5g-b5g/",
        "search/?q=6G",
    ):
        response = client.get(f"/{language}/{path}")
        assert response.status_code == 200, path
        assert f'<html lang="{language}">' in text(response)


def test_the_action_page_shows_both_parties_side_by_side(members):
    services.file_update(members["jp_lead"], 48, {**UPDATE, "narrative": "MIC funded two projects."})
    services.file_update(members["eu_secretariat"], 48, {**UPDATE, "narrative": "SNS JU call closed."})
    body = text(signed_in(members["eu_stakeholder"]).get("/en/actions/48/"))
    side_by_side = body.split('class="side-by-side', 1)[1].split("</div>", 1)[0]
    assert "Japan" in side_by_side and "European Union" in side_by_side
    assert "MIC funded two projects." in side_by_side
    assert "SNS JU call closed." in side_by_side
    assert 'class="disagreement"' not in body  # both on track


def test_a_disagreement_is_highlighted(members):
    services.file_update(members["jp_lead"], 48, UPDATE)
    services.file_update(members["eu_secretariat"], 48, {**UPDATE, "status": "off_track"})
    body = text(signed_in(members["jp_stakeholder"]).get("/en/actions/48/"))
    assert 'class="disagreement"' in body
    assert "side-by-side differ" in body
    assert "badge-on_track" in body and "badge-off_track" in body


def test_the_history_shows_every_version(members):
    services.file_update(members["jp_lead"], 48, {**UPDATE, "narrative": "First account."})
    services.file_update(
        members["jp_lead"], 48, {**UPDATE, "status": "at_risk", "narrative": "Corrected account."}
    )
    body = text(signed_in(members["eu_member_state"]).get("/en/actions/48/"))
    history = body.split('id="history-heading"', 1)[1]
    assert "First account." in history and "Corrected account." in history
    assert re.search(r"<td>2</td>.*Corrected account\.", history, re.S)
    assert re.search(r"<td>1</td>.*First account\.", history, re.S)


def test_edit_links_only_for_those_who_may_edit(members):
    DeliverableFactory(action=JointAction.objects.get(paragraph=48))
    lead_page = text(signed_in(members["jp_lead"]).get("/en/actions/48/"))
    assert 'href="/en/actions/48/update/"' in lead_page
    assert "/deliverables/new/" in lead_page
    eu_lead_page = text(signed_in(members["eu_lead"]).get("/en/actions/48/"))
    assert 'href="/en/actions/48/update/"' not in eu_lead_page
    assert "Edit</a>" not in eu_lead_page  # the JP deliverable is not theirs to edit


# --- forms without JavaScript ----------------------------------------------------------------------------


def test_the_update_form_files_an_update_with_a_plain_post(members):
    client = signed_in(members["jp_lead"])
    form = text(client.get("/en/actions/48/update/"))
    assert '<form method="post"' in form
    assert 'type="radio" name="status"' in form
    response = client.post("/en/actions/48/update/", {**UPDATE, "period": ""})
    assert response.status_code == 302
    assert response["Location"] == "/en/actions/48/"
    page = client.get(response["Location"])
    assert "Your update is filed." in text(page)
    update = ProgressUpdate.objects.get()
    assert (update.party.code, update.organisation.code, update.period) == ("JP", "jp-mic", current_period())


def test_the_update_form_in_japanese_redirects_to_the_japanese_page(members):
    response = signed_in(members["jp_lead"]).post("/ja/actions/48/update/", {**UPDATE, "language": "ja"})
    assert (response.status_code, response["Location"]) == (302, "/ja/actions/48/")


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"status": ""}, "status"),
        ({"narrative": ""}, "narrative"),
        ({"language": "fr"}, "language"),
        ({"period": "2021"}, "period"),
        ({"period": str(current_period() + 5)}, "period"),
    ],
)
def test_update_form_errors_name_the_field(members, changes, field):
    client = signed_in(members["jp_lead"])
    response = client.post("/en/actions/48/update/", {**UPDATE, **changes})
    assert response.status_code == 200
    body = text(response)
    assert f'id="id_{field}_errors"' in body
    assert "Please correct the fields marked below." in body
    assert not ProgressUpdate.objects.exists()


def test_the_form_keeps_what_was_typed(members):
    response = signed_in(members["jp_lead"]).post(
        "/en/actions/48/update/", {**UPDATE, "status": "", "narrative": "Half-written note"}
    )
    assert "Half-written note" in text(response)


def test_the_deliverable_form_adds_and_changes_a_deliverable(members):
    client = signed_in(members["eu_lead"])
    data = {"title": "SME toolkit", "language": "en", "due_date": "2027-06-30", "status": "planned"}
    assert client.post("/en/actions/72/deliverables/new/", data)["Location"] == "/en/actions/72/"
    deliverable = Deliverable.objects.get()
    assert (deliverable.party.code, deliverable.organisation.code) == ("EU", "eu-dg-grow")
    edit = text(client.get(f"/en/actions/72/deliverables/{deliverable.uid}/"))
    etag = re.search(r'name="etag" value="([^"]+)"', edit).group(1)
    assert html.unescape(etag) == services.etag(deliverable)
    response = client.post(
        f"/en/actions/72/deliverables/{deliverable.uid}/",
        {**data, "status": "delivered", "etag": html.unescape(etag)},
    )
    assert response.status_code == 302
    deliverable.refresh_from_db()
    assert (deliverable.status, deliverable.revision) == ("delivered", 2)


def test_a_stale_deliverable_form_is_refused_and_says_why(members):
    deliverable = services.create_deliverable(
        members["eu_lead"], 72, {"title": "SME toolkit", "language": "en", "due_period": 2027}
    )
    read = services.etag(deliverable)
    services.change_deliverable(members["eu_secretariat"], deliverable.uid, {"status": "in_progress"}, read)
    response = signed_in(members["eu_lead"]).post(
        f"/en/actions/72/deliverables/{deliverable.uid}/",
        {"title": "SME toolkit", "language": "en", "due_period": "2027", "status": "dropped", "etag": read},
    )
    assert response.status_code == 200
    assert "changed by someone else" in text(response)
    deliverable.refresh_from_db()
    assert (deliverable.status, deliverable.revision) == ("in_progress", 2)


def test_deliverable_form_errors_name_the_field(members):
    response = signed_in(members["eu_lead"]).post(
        "/en/actions/72/deliverables/new/",
        {"title": "", "language": "en", "due_date": "", "due_period": "", "evidence": "ftp://x"},
    )
    body = text(response)
    for field in ("title", "due_date", "evidence"):
        assert f'id="id_{field}_errors"' in body, field
    assert not Deliverable.objects.exists()


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("evidence", "https://example.org/report\x00.pdf"),  # passes URLValidator: NUL is not a space
        ("title", "SME\x00 toolkit"),
        ("description", "Toolkit\x00"),
    ],
)
def test_a_nul_character_in_a_deliverable_is_a_field_error_on_both_databases(members, field, value):
    data = {"title": "SME toolkit", "language": "en", "due_period": "2027", "status": "planned", field: value}
    response = signed_in(members["eu_lead"]).post("/en/actions/72/deliverables/new/", data)
    assert response.status_code == 200
    assert f'id="id_{field}_errors"' in text(response)
    assert "Null characters are not allowed." in text(response)
    assert not Deliverable.objects.exists()


def test_a_search_with_a_nul_character_is_refused_in_words(client, programme):
    for language, words in (("en", "NUL"), ("ja", "NUL")):
        response = client.get(f"/{language}/search/?q=5G%00")
        assert response.status_code == 400
        assert words in text(response) and 'role="alert"' in text(response)
    api = client.get("/api/v1/actions?area=data%00")
    assert api.status_code == 422
    assert api.json()["error"]["fields"] == {"area": "Null characters are not allowed."}


def test_the_value_form_records_a_value_and_refuses_a_conflicting_one(members):
    indicator = IndicatorFactory(action=JointAction.objects.get(paragraph=48))
    client = signed_in(members["jp_lead"])
    url = f"/en/actions/48/indicators/{indicator.uid}/value/"
    value = {"period_start": "2025-01-01", "period_end": "2025-12-31", "value": "7", "source": "minutes"}
    assert client.post(url, value)["Location"] == "/en/actions/48/"
    response = client.post(url, {**value, "value": "8"})
    assert response.status_code == 200
    assert "already recorded" in text(response)
    response = client.post(url, {**value, "period_end": "2024-01-01"})
    assert 'id="id_period_end_errors"' in text(response)
    assert [v.value for v in IndicatorValue.objects.all()] == [7]


def test_a_record_is_changed_only_under_its_own_action(members):
    """The address names the action: a deliverable or indicator of another action is not found there."""
    deliverable = DeliverableFactory(action=JointAction.objects.get(paragraph=48))
    indicator = IndicatorFactory(action=JointAction.objects.get(paragraph=48))
    client = signed_in(members["jp_secretariat"])
    value = {"period_start": "2025-01-01", "period_end": "2025-12-31", "value": "7", "source": "minutes"}
    assert client.post(f"/en/actions/72/indicators/{indicator.uid}/value/", value).status_code == 404
    data = {"title": "Moved", "language": "en", "due_period": "2027", "etag": services.etag(deliverable)}
    assert client.post(f"/en/actions/72/deliverables/{deliverable.uid}/", data).status_code == 404
    assert not IndicatorValue.objects.exists()
    deliverable.refresh_from_db()
    assert deliverable.revision == 1


def test_a_comment_is_posted_from_the_action_page(members):
    client = signed_in(members["eu_member_state"])
    response = client.post(
        "/en/actions/72/comments/", {"body": "Member states wish to join.", "language": "en"}
    )
    assert response["Location"] == "/en/actions/72/"
    assert "Member states wish to join." in text(client.get("/en/actions/72/"))


# --- search ----------------------------------------------------------------------------------------------


def test_search_finds_actions_updates_and_deliverables(members):
    services.file_update(members["jp_lead"], 48, {**UPDATE, "narrative": "Terahertz testbed opened."})
    services.create_deliverable(
        members["eu_secretariat"], 48, {"title": "Terahertz roadmap", "language": "en", "due_period": 2027}
    )
    member = text(signed_in(members["jp_stakeholder"]).get("/en/search/?q=terahertz"))
    assert "Terahertz testbed opened." in member
    assert "Terahertz roadmap" in member
    public = text(Client().get("/en/search/?q=terahertz"))
    assert "Terahertz testbed opened." not in public
    assert "Terahertz roadmap" not in public
    action = JointAction.objects.get(paragraph=46)
    found = text(Client().get("/en/search/?q=" + action.title_en.split()[0]))
    assert 'href="/en/actions/46/"' in found


def test_search_in_japanese(client, programme):
    action = JointAction.objects.get(paragraph=48)
    body = text(client.get("/ja/search/", {"q": action.title_ja[:4]}))
    assert 'href="/ja/actions/48/"' in body


# --- the dashboard ---------------------------------------------------------------------------------------


def test_the_dashboard_counts_statuses_by_area_and_party(members):
    services.file_update(members["jp_lead"], 48, UPDATE)
    services.file_update(members["eu_secretariat"], 48, {**UPDATE, "status": "at_risk"})
    body = text(signed_in(members["eu_member_state"]).get("/en/dashboard/"))
    assert 'class="matrix"' in body
    assert "badge-on_track" in body and "badge-at_risk" in body


def test_the_dashboard_shows_what_changed_since_a_date(members):
    old = services.file_update(members["jp_lead"], 48, {**UPDATE, "status": "done"})
    ProgressUpdate.objects.filter(pk=old.pk).update(created_at=timezone.now() - datetime.timedelta(days=90))
    services.file_update(members["eu_secretariat"], 72, {**UPDATE, "status": "at_risk"})
    client = signed_in(members["jp_secretariat"])
    since = (timezone.now() - datetime.timedelta(days=7)).date().isoformat()
    changes = text(client.get(f"/en/dashboard/?since={since}")).split('id="changes-heading"', 1)[1]
    changes = changes.split('id="overdue-heading"', 1)[0]
    assert 'href="/en/actions/72/"' in changes
    assert 'href="/en/actions/48/"' not in changes
    longer = (timezone.now() - datetime.timedelta(days=120)).date().isoformat()
    assert 'href="/en/actions/48/"' in text(client.get(f"/en/dashboard/?since={longer}"))


def test_the_list_of_changes_says_when_it_stops_short_and_links_the_full_list(members):
    for paragraph in range(46, 76):  # 30 updates: more than the 25 the dashboard shows
        services.file_update(members["eu_secretariat"], paragraph, UPDATE)
    client = signed_in(members["jp_secretariat"])
    since = (timezone.now() - datetime.timedelta(days=7)).date().isoformat()
    for language, words in (
        ("en", "Showing the latest 25 of 30."),
        ("ja", "最新の25件を表示しています（全30件）。"),
    ):
        changes = text(client.get(f"/{language}/dashboard/?since={since}")).split('id="changes-heading"', 1)[
            1
        ]
        changes = changes.split('id="overdue-heading"', 1)[0]
        assert words in changes
        assert changes.count(f'href="/{language}/actions/') == 25
        assert f'href="?since={since}&amp;changes=all"' in changes
    full = text(client.get(f"/en/dashboard/?since={since}&changes=all")).split('id="changes-heading"', 1)[1]
    full = full.split('id="overdue-heading"', 1)[0]
    assert full.count('href="/en/actions/') == 30 and "Showing the latest" not in full


@pytest.mark.parametrize("since", ["yesterday", "2026-13-45", "<script>", "2026-02-30"])
def test_a_malformed_since_is_a_friendly_message(members, since):
    response = signed_in(members["jp_secretariat"]).get("/en/dashboard/", {"since": since})
    assert response.status_code == 200
    body = text(response)
    assert "must be a date like" in body
    assert "<script>" not in body.split("<main", 1)[1]
    assert_no_trace(response)


def test_the_dashboard_lists_overdue_deliverables(members):
    DeliverableFactory(
        action=JointAction.objects.get(paragraph=72),
        title="Late SME report",
        due_date=timezone.now().date() - datetime.timedelta(days=3),
    )
    DeliverableFactory(action=JointAction.objects.get(paragraph=72), title="Future report")
    overdue = text(signed_in(members["jp_secretariat"]).get("/en/dashboard/")).split(
        'id="overdue-heading"', 1
    )[1]
    assert "Late SME report" in overdue
    assert "Future report" not in overdue


# --- escaping ------------------------------------------------------------------------------------------


def test_user_text_is_escaped_on_the_action_page_and_the_dashboard(members):
    services.file_update(members["jp_lead"], 48, {**UPDATE, "narrative": SCRIPT})
    services.create_deliverable(
        members["jp_lead"], 48, {"title": SCRIPT, "language": "en", "due_period": 2027}
    )
    services.add_comment(members["eu_stakeholder"], 48, {"body": SCRIPT, "language": "en"})
    client = signed_in(members["eu_secretariat"])
    escaped = html.escape(SCRIPT)
    for path in ("/en/actions/48/", "/en/dashboard/", "/ja/actions/48/", "/en/search/?q=alert"):
        body = text(client.get(path))
        assert SCRIPT not in body, path
        assert "<script>alert" not in body, path
        assert escaped in body, path


def test_the_search_box_escapes_what_was_searched(client, programme):
    body = text(client.get("/en/search/", {"q": SCRIPT}))
    assert SCRIPT not in body
    assert html.escape(SCRIPT) in body


# --- CSRF and limits -----------------------------------------------------------------------------------


def _csrf_token(client: Client, path: str) -> str:
    return re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', text(client.get(path))).group(1)


DELIVERABLE_FORM = {"title": "T", "language": "en", "due_period": "2027", "status": "planned"}
VALUE_FORM = {"period_start": "2025-01-01", "period_end": "2025-12-31", "value": "3", "source": "minutes"}


@pytest.mark.parametrize(
    ("form_path", "post_path", "data"),
    [
        ("/en/actions/48/update/", "/en/actions/48/update/", UPDATE),
        ("/en/actions/48/deliverables/new/", "/en/actions/48/deliverables/new/", DELIVERABLE_FORM),
        ("/en/actions/48/deliverables/{d}/", "/en/actions/48/deliverables/{d}/", DELIVERABLE_FORM),
        ("/en/actions/48/indicators/{i}/value/", "/en/actions/48/indicators/{i}/value/", VALUE_FORM),
        ("/en/actions/48/", "/en/actions/48/comments/", {"body": "Hello", "language": "en"}),
    ],
)
def test_every_form_needs_its_csrf_token(members, form_path, post_path, data):
    deliverable = DeliverableFactory(action=JointAction.objects.get(paragraph=48))
    indicator = IndicatorFactory(action=JointAction.objects.get(paragraph=48))
    form_path, post_path = (p.format(d=deliverable.uid, i=indicator.uid) for p in (form_path, post_path))
    data = {**data, "etag": services.etag(deliverable)} if "/deliverables/" in post_path else data

    def written() -> tuple:
        return (
            ProgressUpdate.objects.count(),
            sorted(Deliverable.objects.values_list("pk", "revision")),
            IndicatorValue.objects.count(),
            Comment.objects.count(),
        )

    client = signed_in(members["jp_secretariat"], enforce_csrf_checks=True)
    before = written()
    refused = client.post(post_path, data)
    assert refused.status_code == 403
    assert_no_trace(refused)
    assert written() == before
    accepted = client.post(post_path, {**data, "csrfmiddlewaretoken": _csrf_token(client, form_path)})
    assert accepted.status_code == 302
    assert written() != before


def test_the_login_and_language_forms_need_their_csrf_token(programme):
    client = Client(enforce_csrf_checks=True)
    assert client.post("/en/login/", {"username": "x", "password": "y"}).status_code == 403
    assert client.post("/i18n/setlang/", {"language": "ja", "next": "/"}).status_code == 403


def test_an_oversized_form_is_refused_without_a_stack_trace(members, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 10_000
    response = signed_in(members["jp_secretariat"]).post(
        "/en/actions/48/update/", {**UPDATE, "narrative": "x" * 20_000}
    )
    assert 400 <= response.status_code < 500
    assert response["Content-Type"].startswith("text/html")
    assert_no_trace(response)
    assert not ProgressUpdate.objects.exists()


# --- at most 15 queries a page, whatever the data size -----------------------------------------------


def _fill(periods: range, deliverables_per_action: int, values_per_indicator: int) -> None:
    """Progress of both parties on every action: updates in several versions, deliverables, indicators."""
    parties = list(Party.objects.all())
    secretariat = {p.pk: Organisation.objects.get(party=p, kind="secretariat") for p in parties}
    from django.contrib.auth.models import User

    author = User.objects.create_user(f"filler{periods.start}{deliverables_per_action}")
    actions = list(JointAction.objects.all())
    today = timezone.now().date()
    ProgressUpdate.objects.bulk_create(
        ProgressUpdate(
            action=action,
            party=party,
            period=period,
            version=version,
            status=["on_track", "at_risk", "off_track", "done"][(action.paragraph + version) % 4],
            narrative=f"Account {period} v{version}",
            language="en",
            author=author,
            organisation=secretariat[party.pk],
        )
        for action in actions
        for party in parties
        for period in periods
        for version in (1, 2)
    )
    Deliverable.objects.bulk_create(
        Deliverable(
            action=action,
            party=party,
            organisation=secretariat[party.pk],
            title=f"Deliverable {n}",
            language="en",
            due_date=today + datetime.timedelta(days=30 * n - 60),
            status="planned",
        )
        for action in actions
        for party in parties
        for n in range(deliverables_per_action)
    )
    indicators = Indicator.objects.bulk_create(
        Indicator(
            action=action,
            party=party,
            organisation=secretariat[party.pk],
            title=f"Indicator of {party.code}",
            language="en",
            unit="events",
            baseline_value=0,
            baseline_year=2022,
            target_value=10,
            target_date=datetime.date(2027, 12, 31),
        )
        for action in actions
        for party in parties
    )
    IndicatorValue.objects.bulk_create(
        IndicatorValue(
            indicator=indicator,
            period_start=datetime.date(2023, 1, 1) + datetime.timedelta(days=31 * n),
            period_end=datetime.date(2023, 1, 28) + datetime.timedelta(days=31 * n),
            value=n,
            source="records",
            recorded_by=author,
        )
        for indicator in (
            indicators if connection.features.can_return_rows_from_bulk_insert else Indicator.objects.all()
        )
        for n in range(values_per_indicator)
    )


PAGES = ["/en/dashboard/", "/en/actions/46/", "/ja/dashboard/", "/ja/actions/46/"]


def _queries(client: Client, path: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(path).status_code == 200
    return len(captured)


def test_pages_stay_within_16_queries_and_do_not_grow_with_the_data(members, django_assert_max_num_queries):
    client = signed_in(members["jp_secretariat"])
    services.add_comment(members["eu_stakeholder"], 46, {"body": "A first comment.", "language": "en"})
    _fill(range(2023, 2024), deliverables_per_action=1, values_per_indicator=1)
    small = {path: _queries(client, path) for path in PAGES}

    _fill(range(2024, current_period() + 1), deliverables_per_action=4, values_per_indicator=12)
    for paragraph in (46, 47):
        for n in range(5):
            services.add_comment(
                members["eu_member_state"], paragraph, {"body": f"Comment {n}", "language": "en"}
            )
    assert ProgressUpdate.objects.count() >= 38 * 2 * 2 * 3
    for path in PAGES:
        # 15, and one per dashboard panel of an installed exchange (supply chain: signals, open alerts); the
        # secretariat's own desk on the dashboard (issue 15) adds its fixed part (test_dashboards.py).
        with django_assert_max_num_queries(31 if "dashboard" in path else 16):
            response = client.get(path)
        assert response.status_code == 200
        assert _queries(client, path) == small[path], (path, small)


@pytest.mark.parametrize("path", PAGES)
def test_public_pages_stay_within_15_queries(client, programme, django_assert_max_num_queries, path):
    _fill(range(2023, 2025), deliverables_per_action=2, values_per_indicator=3)
    with django_assert_max_num_queries(15):
        assert client.get(path).status_code == 200

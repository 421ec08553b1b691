"""The outage pages in both languages: the list with overdue flags, the report form, the outage page
with its stages and route effect; who sees what."""

import datetime

import pytest
from django.utils import timezone

from partnership.exchanges.cable_outages import services
from partnership.exchanges.cable_outages.models import Outage

from .test_outages import CABLE, report

pytestmark = pytest.mark.django_db


def local(moment: datetime.datetime) -> str:
    """A datetime-local value in UTC (the test client's zone is the site's default, UTC)."""
    return moment.astimezone(datetime.UTC).strftime("%Y-%m-%dT%H:%M")


@pytest.mark.parametrize("language", ["en", "ja"])
def test_an_operator_reports_on_the_form_and_files_the_next_stage(client, operators, language):
    client.force_login(operators["jp-cable-a"])
    form = client.get(f"/{language}/cables/outages/report/")
    assert form.status_code == 200 and b'name="detected_at"' in form.content
    now = timezone.now()
    fields = {
        "cable": CABLE,
        "started_at": local(now - datetime.timedelta(hours=2)),
        "detected_at": local(now - datetime.timedelta(hours=1)),
        "cause": "fishing",
        "fault_latitude": "16.3",
        "fault_longitude": "40.7",
        "fibre_pairs_lost": "1",
        "profile": "nis2",
        "tlp": "amber",
        "summary": "<script>alert(1)</script>",
    }
    bad = client.post(
        f"/{language}/cables/outages/report/",
        {**fields, "fault_latitude": "35.6", "fault_longitude": "139.7"},
    )
    assert bad.status_code == 200 and b"fault_latitude" in bad.content and Outage.objects.count() == 0
    done = client.post(f"/{language}/cables/outages/report/", fields)
    assert done.status_code == 302
    outage = Outage.objects.get()
    page = client.get(done["Location"])
    html = page.content.decode()
    assert page.status_code == 200 and CABLE in html and "<script>alert" not in html
    assert 'name="stage"' in html  # its operator may file the next stage
    listed = client.get(f"/{language}/cables/outages/").content.decode()
    assert outage.cable_name in listed
    filed = client.post(done["Location"], {"stage": "interim", "summary": "Ship on site."})
    assert filed.status_code == 302 and outage.stages.count() == 2
    twice = client.post(done["Location"], {"stage": "interim"})
    assert twice.status_code in (200,) and b"stage" in twice.content and outage.stages.count() == 2


def test_who_sees_the_pages(client, operators, members):
    outage = services.report_outage(operators["jp-cable-a"], report(profile="nis2"))
    Outage.objects.filter(pk=outage.pk).update(detected_at=timezone.now() - datetime.timedelta(days=4))
    path = f"/en/cables/outages/{outage.uid}/"
    assert client.get(path).status_code == 302  # to the sign-in page
    assert client.get("/en/cables/outages/report/").status_code == 302
    client.force_login(members["jp_secretariat"])
    assert client.get("/en/cables/outages/report/").status_code == 403
    listed = client.get("/en/cables/outages/").content.decode()
    assert "overdue" in listed
    page = client.get(path).content.decode()
    assert 'name="stage"' not in page and "Effect on the routes" in page
    client.force_login(operators["jp-cable-c"])
    assert client.get(path).status_code == 404
    assert client.post(path, {"stage": "interim"}).status_code == 404
    client.force_login(members["eu_stakeholder"])
    assert client.get(path).status_code == 404


def many_reports(operators, count_jp: int, count_eu: int) -> None:
    """`count_jp` CLEAR reports of the JP operator and `count_eu` of the EU's, an hour apart, written at
    once (the pages' paging is under test, not reporting)."""
    from partnership.people.models import Organisation, Party

    now = timezone.now()
    rows = []
    for party, code, count in (("JP", "jp-cable-a", count_jp), ("EU", "eu-cable", count_eu)):
        organisation, party_row = Organisation.objects.get(code=code), Party.objects.get(code=party)
        for n in range(count):
            moment = now - datetime.timedelta(hours=n + 1)
            rows.append(
                Outage(
                    party=party_row,
                    organisation=organisation,
                    cable_slug=CABLE,
                    cable_name=f"{party} cable {n:03d}",
                    started_at=moment,
                    detected_at=moment,
                    cause="unknown",
                    profile="fcc",
                    profile_stages=[{"stage": "notification", "hours": 4, "after": "detection"}],
                    tlp="clear",
                )
            )
    Outage.objects.bulk_create(rows)


def test_the_list_is_paginated_and_keeps_its_filters(client, operators, members):
    many_reports(operators, 230, 20)
    client.force_login(members["eu_secretariat"])
    first = client.get("/en/cables/outages/?party=JP&state=open").content.decode()
    assert first.count('href="/en/cables/outages/') - first.count('href="/en/cables/outages/report/') >= 100
    assert "JP cable 000" in first and "JP cable 100" not in first and "EU cable" not in first
    assert "230 reports" in first
    assert "?page=2&amp;party=JP&amp;state=open" in first  # the filters are kept on the next page
    third = client.get("/en/cables/outages/?page=3&party=JP&state=open").content.decode()
    assert "JP cable 229" in third and "JP cable 199" not in third and "EU cable" not in third
    assert "?page=2&amp;party=JP&amp;state=open" in third
    ja = client.get("/ja/cables/outages/?q=EU+cable").content.decode()
    assert "EU cable 019" in ja and "JP cable" not in ja
    assert "?page=" not in client.get("/en/cables/outages/?kind=historical").content.decode()


def test_the_api_list_is_paginated_and_keeps_its_filters(client, token_for, operators, members):
    many_reports(operators, 230, 20)
    headers = {"Authorization": token_for(members["jp_lead"])}
    body = client.get("/api/v1/cables/outages?party=JP&page_size=100", headers=headers).json()
    assert body["count"] == 230 and len(body["items"]) == 100 and body["previous"] is None
    assert body["items"][0]["cable_name"] == "JP cable 000" and "party=JP" in body["next"]
    last = client.get(body["next"].replace("page=2", "page=3"), headers=headers).json()
    assert [item["cable_name"] for item in last["items"]][-1] == "JP cable 229" and last["next"] is None
    assert {item["party"] for item in last["items"]} == {"JP"}
    assert "overdue" in last["items"][0] and last["items"][0]["stages"][0]["stage"] == "notification"
    everyone = client.get("/api/v1/cables/outages", headers=headers).json()
    assert everyone["count"] == 250 and len(everyone["items"]) == 100
    bad = client.get("/api/v1/cables/outages?page_size=100000", headers=headers)
    assert bad.status_code == 422

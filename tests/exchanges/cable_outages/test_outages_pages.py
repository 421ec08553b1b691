"""The outage pages in both languages: the list with overdue flags, the report form, the outage page
with its stages and route effect; who sees what."""

import datetime

import pytest
from django.utils import timezone

from partnership.exchanges.cable_outages import services
from partnership.exchanges.cable_outages.models import Outage

from .test_outages import CABLE, operators, report  # noqa: F401 - the fixture

pytestmark = pytest.mark.django_db


def local(moment: datetime.datetime) -> str:
    """A datetime-local value in UTC (the test client's zone is the site's default, UTC)."""
    return moment.astimezone(datetime.UTC).strftime("%Y-%m-%dT%H:%M")


@pytest.mark.parametrize("language", ["en", "ja"])
def test_an_operator_reports_on_the_form_and_files_the_next_stage(client, operators, language):  # noqa: F811
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


def test_who_sees_the_pages(client, operators, members):  # noqa: F811
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

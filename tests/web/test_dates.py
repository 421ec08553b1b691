"""One date style per language (issue 15.7: pages mixed "2026-12-06" and "Dec. 6, 2026, 9:01 p.m."), in
the reader's time zone, and a date cell that does not break mid-date."""

import datetime as dt
import re

import pytest
from django.test import Client

from partnership.programme.models import JointAction, ProgressUpdate
from tests.factories import DeliverableFactory, ProgressUpdateFactory

NOON_UTC = dt.datetime(2026, 12, 6, 12, 1, tzinfo=dt.UTC)  # 21:01 in Tokyo


def words(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


@pytest.mark.parametrize(
    "language, due, filed",
    [("en", "6 Dec 2026", "6 Dec 2026, 21:01"), ("ja", "2026年12月6日", "2026年12月6日 21:01")],
)
def test_the_action_page_shows_dates_in_one_style_per_language(members, language, due, filed):
    action = JointAction.objects.get(paragraph=48)
    DeliverableFactory(action=action, due_date=NOON_UTC.date())
    update = ProgressUpdateFactory(action=action)
    ProgressUpdate.objects.filter(pk=update.pk).update(created_at=NOON_UTC)
    client = Client()
    client.force_login(members["jp_secretariat"])  # a Japanese reader: times in JST
    page = client.get(f"/{language}/actions/48/").content.decode()
    shown = words(page)
    assert due in shown and filed in shown
    assert "2026-12-06" not in shown and "p.m." not in shown and "Dec." not in shown
    # The due date sits in a cell that does not wrap (site.css: td.date, time { white-space: nowrap }).
    assert re.search(r'<td class="date"><time datetime="2026-12-06">' + re.escape(due) + "</time>", page)

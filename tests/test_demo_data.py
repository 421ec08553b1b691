"""The demo tells the truth: what `partnership demo` seeds is coherent, as a visitor would check it.

Each update's narrative says its status; last year's cycle happened in last year, in the order of a
real year (the report goes to the Council before it meets); indicators each have their own figures; the
actions' titles keep the text's capitalisation ("5G, 6G, IoT, AI", "GPAI").
"""

import datetime
import io
import re

import pytest
from django.utils import timezone

from partnership import demo
from partnership.cycle.models import (
    ConsultationWindow,
    Contribution,
    Cycle,
    Meeting,
    PhaseChange,
    Priority,
    PublishedReport,
)
from partnership.programme.loader import load_programme
from partnership.programme.models import Deliverable, Indicator, JointAction, ProgressUpdate

pytestmark = pytest.mark.django_db

#: Words that say an action is behind plan, and that it is finished, in each language.
BEHIND = re.compile(r"slower|postponed|stopped|missed|delay|遅れ|延期|停止|達成できない")
FINISHED = re.compile(r"complete|完了")


@pytest.fixture
def seeded(settings, tmp_path):
    settings.DATA_DIR = str(tmp_path)
    settings.DEMO_PASSWORD = "demo-password-for-tests"
    load_programme()
    demo.create_demo_accounts(settings.DEMO_PASSWORD)
    assert demo.seed_progress()
    assert demo.seed_cycles()
    return timezone.now().date()


def test_every_update_says_its_status_and_every_date_has_its_place(seeded):
    today = seeded
    last, this = today.year - 1, today.year
    updates = list(ProgressUpdate.objects.select_related("action", "party"))
    assert {update.status for update in updates} == {"on_track", "at_risk", "off_track", "done"}
    wrong = []
    for update in updates:
        behind, finished = BEHIND.search(update.narrative), FINISHED.search(update.narrative)
        says = {
            "on_track": not behind and not finished,
            "done": finished and not behind,
            "at_risk": behind and not finished,
            "off_track": behind and not finished,
        }[update.status]
        if not says:
            wrong.append(f"{update.action.paragraph} {update.party.code} {update.status}: {update.narrative}")
    assert not wrong, wrong

    # Last year's cycle lies in last year, each step after the one before it.
    cycle = Cycle.objects.get(year=last)
    phases = {change.phase: change.changed_at for change in PhaseChange.objects.filter(cycle=cycle)}
    order = ["call_open", "call_closed", "stock_take", "council_held", "guidance_published"]
    assert [phases[phase] for phase in order] == sorted(phases[phase] for phase in order)
    assert all(when.year == last for when in phases.values()), phases
    council = Meeting.objects.get(cycle=cycle, kind="council")
    assert council.date == cycle.council_date and council.date.year == last
    assert all(meeting.date.year == last for meeting in Meeting.objects.filter(cycle=cycle))
    titles = list(Meeting.objects.values_list("title", flat=True))
    assert f"第{last - 2015}回 日EUデジタル政策対話" in titles
    assert not [title for title in titles if re.search(r"第-|\{|\}", title)], titles
    for priority in Priority.objects.filter(set_at=council):
        assert priority.agreed_at is not None and priority.agreed_at.date() > council.date
        assert priority.agreed_at.year == last
    report = PublishedReport.objects.get(cycle=cycle)
    # The progress report goes to the Council: published after the stock-take, before the Council met.
    assert phases["stock_take"] <= report.published_at
    assert report.published_at.date() < council.date
    assert report.published_at.year == last
    # Updates came in during their call (none of last year's is late), none in the future.
    for update in updates:
        assert update.created_at <= timezone.now()
        if update.period == last:
            assert cycle.call_opens <= update.created_at.date() < cycle.call_closes, update.created_at
    filed = {update.created_at for update in updates}
    assert len(filed) > len(updates) // 4, "updates are not all stamped with one time"
    # Last year's consultation: whole days in last year, its contributions sent while it was open.
    window = ConsultationWindow.objects.get(cycle=cycle)
    assert window.opening_day.year == window.closing_day.year == last
    for contribution in Contribution.objects.filter(window=window):
        assert window.opens <= contribution.created_at < window.closes
    this_cycle = Cycle.objects.get(year=this)
    assert this_cycle.phase == "call_open"
    assert any(
        w.opens <= timezone.now() < w.closes for w in ConsultationWindow.objects.filter(cycle=this_cycle)
    )


def test_indicators_have_their_own_believable_figures(seeded):
    today = seeded
    indicators = list(Indicator.objects.prefetch_related("values"))
    assert len(indicators) >= 4
    series = []
    for indicator in indicators:
        values = sorted(indicator.values.all(), key=lambda value: value.period_end)
        assert values, indicator.title
        assert all(value.period_end < today for value in values)
        numbers = [value.value for value in values]
        # From the baseline towards the target, never past it, never down (they count what was done).
        assert numbers == sorted(numbers), (indicator.title, numbers)
        assert indicator.baseline_value <= numbers[0] and numbers[-1] <= indicator.target_value
        series.append(tuple(numbers))
    assert len(set(series)) == len(series), "two indicators have the same series"
    assert len({numbers[-1] for numbers in series}) > 1, "every indicator has the same latest value"
    assert len({(i.baseline_value, i.target_value, i.unit) for i in indicators}) > 1


def test_titles_keep_the_capitalisation_of_the_text(seeded):
    acronyms = {
        word
        for title in JointAction.objects.values_list("title_en", flat=True)
        for word in re.findall(r"[0-9A-Za-z]+", title)
        # An acronym has two capitals ("AI", "IoT") or a capital after a digit ("5G").
        if sum(c.isupper() for c in word) >= 2 or (word[0].isdigit() and any(c.isupper() for c in word))
    }
    assert {"5G", "6G", "IoT", "AI", "GPAI"} <= acronyms
    lowered = []
    for title in Deliverable.objects.values_list("title", flat=True):
        for acronym in acronyms:
            for found in re.findall(rf"\b{re.escape(acronym)}\b", title, flags=re.IGNORECASE):
                if found != acronym:
                    lowered.append(f"{found!r} for {acronym!r} in {title!r}")
    assert not lowered, lowered
    titles = set(Deliverable.objects.values_list("title", flat=True))
    assert "Expert workshop: Standards for 5G, 6G, IoT, AI and digital identities" in titles or any(
        "Standards for 5G, 6G, IoT, AI" in title for title in titles
    )


def test_the_demo_says_its_history_is_dated_back(seeded, client):
    stdout = io.StringIO()
    demo.write_history_note(stdout)
    page = client.get("/en/").content.decode()
    assert f"Demo data: the history of {seeded.year - 1} was written on" in page
    assert "signatures show when they were really made" in page
    assert "デモデータ" in client.get("/ja/").content.decode()


def test_backdating_again_changes_nothing(seeded):
    before = sorted(ProgressUpdate.objects.values_list("pk", "created_at"))
    demo.backdate(seeded)
    assert sorted(ProgressUpdate.objects.values_list("pk", "created_at")) == before
    assert datetime.date(seeded.year - 1, 1, 1) <= PublishedReport.objects.get().published_at.date()

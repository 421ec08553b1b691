"""One whole turn of the partnership's year, as the secretariats and the leads live it (paras 19-23, 44)."""

from partnership.cycle import report, services
from partnership.programme import services as programme_services
from partnership.programme.models import JointAction
from tests.helpers import plan_cycle

PHASES = ["call_open", "call_closed", "stock_take", "council_held", "guidance_published"]


def update(user, paragraph, status, year, language="en"):
    programme_services.file_update(
        user,
        paragraph,
        {"status": status, "narrative": f"{status} in {year}", "language": language, "period": year},
    )


def test_a_year_of_the_partnership_from_the_call_to_the_follow_up(members):
    jp, eu, jp_lead = members["jp_secretariat"], members["eu_secretariat"], members["jp_lead"]

    # 2025: the call for updates, both parties report, the Council meets and gives guidance.
    plan_cycle(jp, {"year": 2025, "call_opens": "2025-01-15", "call_closes": "2025-03-31"})
    services.advance_phase(eu, 2025, "call_open")
    update(jp_lead, 61, "at_risk", 2025, "ja")
    update(eu, 61, "on_track", 2025)
    update(jp, 46, "on_track", 2025)
    services.advance_phase(jp, 2025, "call_closed")
    services.advance_phase(eu, 2025, "stock_take")
    council = services.record_meeting(
        jp,
        2025,
        {
            "mechanism": "digital-partnership-council",
            "kind": "council",
            "title": "Council 2025",
            "language": "en",
            "date": "2025-05-12",
            "agenda": [{"title": "Submarine cables", "actions": [61]}],
        },
    )
    guidance = services.record_outcome(
        jp,
        council.uid,
        {
            "kind": "guidance",
            "text": "Design the cable outage reporting system.",
            "language": "en",
            "owner": "jp-mic",
            "actions": [61],
        },
    )
    plan_cycle(jp, {"year": 2026, "call_opens": "2026-01-15", "call_closes": "2026-03-31"})
    priority = services.set_priority(
        jp, council.uid, {"action": 61, "rationale": "Outage reporting.", "language": "en"}
    )
    services.advance_phase(jp, 2025, "council_held")
    services.advance_phase(eu, 2025, "guidance_published")
    published_2025 = report.publish_report(eu, 2025)
    html_2025 = report.render_html(published_2025.data, "en", published_2025)

    # 2026: the next call; the guidance is followed up, the priority gets its result.
    services.advance_phase(jp, 2026, "call_open")
    update(jp_lead, 61, "on_track", 2026, "ja")
    update(eu, 61, "done", 2026)
    services.follow_up(
        jp_lead, guidance.uid, {"follow_up": "in_progress", "note": "Pilot with two operators."}
    )
    services.record_priority_result(jp, priority.pk, {"result": "partly", "note": "Design agreed."})
    data_2026 = report.build_report(2026)
    assert [item["uid"] for item in data_2026["follow_up"]["open"]] == [str(guidance.uid)]
    assert data_2026["follow_up"]["open"][0]["follow_up"] == "in_progress"
    assert [(p["paragraph"], p["result"]) for p in data_2026["priorities"]] == [(61, "partly")]
    html_2026 = report.render_html(data_2026, "en")
    assert "Design the cable outage reporting system." in html_2026

    for phase in PHASES[1:3]:
        services.advance_phase(jp, 2026, phase)
    report.publish_report(jp, 2026)
    diff = report.diff_reports(2025, 2026)
    changes = {(c["paragraph"], c["party"]): (c["from"], c["to"]) for c in diff["status_changes"]}
    assert changes[61, "JP"] == ("at_risk", "on_track")
    assert changes[61, "EU"] == ("on_track", "done")

    # The 2025 report is frozen: later edits to the programme and to progress do not touch it.
    JointAction.objects.filter(paragraph=61).update(title_en="Renamed after publication")
    update(jp, 46, "off_track", 2025)
    again = report.published(2025)
    assert again.sha256 == report.sha256_of(again.data) == published_2025.sha256
    assert report.render_html(again.data, "en", again) == html_2025
    assert "Renamed after publication" not in html_2025

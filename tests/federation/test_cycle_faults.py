"""The faults of issue 14 with two real nodes (a JP node in its own process, this process as the EU node,
each pulling the other's log over HTTP): nothing is lost, nothing is agreed that only one side agreed, and
each case says what happened in the secretariat's language. (A countersignature before its report, or by
a key that is not the peer's, is in tests/cycle/test_report_signatures.py; an agreement given twice across
the two nodes in tests/federation/test_cycle.py.)"""

import datetime
import urllib.error

import pytest
from django.test import Client
from django.utils import timezone

from partnership.cycle.models import CalendarProposal, Outcome
from partnership.ledger import services, sync
from partnership.ledger.models import Peer
from tests.federation.test_cycle import CALENDAR, COUNCIL, GUIDANCE, eu_post, get

pytestmark = pytest.mark.django_db(transaction=True)


def pull() -> sync.SyncResult:
    (result,) = sync.sync_all()
    return result


@pytest.fixture
def eu_token(members, token_for) -> str:
    return token_for(members["eu_secretariat"]).removeprefix("Bearer ")


def peer_of(jp_factory, live_server, name: str = "jp", skew_seconds: float = 0):
    """A JP node that knows this process (serving on live_server) as its EU peer."""
    return jp_factory(
        name,
        skew_seconds=skew_seconds,
        env={"PARTNERSHIP_PEERS": f"{live_server.url} {services.verifier_key()}"},
    )


def test_the_jp_node_down_while_its_calendar_and_outcome_await_eu_loses_nothing(
    jp_factory, eu_node, live_server, eu_token, client, members
):
    jp = peer_of(jp_factory, live_server)
    eu_node.peer(jp)
    jp.post("/api/v1/cycles", jp.secretariat_token, CALENDAR)
    meeting = jp.post("/api/v1/cycles/2025/meetings", jp.secretariat_token, COUNCIL)
    guidance = jp.post(f"/api/v1/meetings/{meeting['id']}/outcomes", jp.secretariat_token, GUIDANCE)
    assert pull().error == ""
    jp.stop()

    # The EU secretariat agrees while the JP node is down: kept and signed here, not lost.
    assert eu_post("/api/v1/cycles/2025/calendar/agree", eu_token).status_code == 200
    assert eu_post(f"/api/v1/outcomes/{guidance['id']}/confirm", eu_token).status_code == 200
    down = pull()
    assert "cannot be reached" in down.error
    assert Peer.objects.get(party="JP").state == Peer.State.FAILING
    agreed_here = services.size()
    client.force_login(members["eu_secretariat"])
    page = client.get("/ja/ledger/").content.decode()
    assert "接続できません" in page or "到達できません" in page, "the peer's failure is said in Japanese"

    jp.start()  # back, on another port, and it pulls this node's log: both agreements arrive
    eu_node.peer(jp)
    pulled = jp.call("ledger", "sync")
    assert "EU" in pulled.stdout, pulled.stdout
    at_jp = get(jp, "/api/v1/cycles/2025", jp.secretariat_token)
    assert (at_jp["calendar_agreed"], at_jp["calendar_proposal"]) == (True, None)
    outcomes = get(jp, "/api/v1/cycles/2025/meetings", jp.secretariat_token)[0]["outcomes"]
    assert [(o["proposed_by"], o["agreed_by"]) for o in outcomes] == [("JP", "EU")]
    # Once, on either side: nothing doubled, and this node's log is as it was.
    assert pull().error == "" and services.size() == agreed_here
    assert Outcome.objects.get().agreed_by.code == "EU"
    assert CalendarProposal.objects.count() == 1


def test_an_agreement_by_one_side_alone_moves_nothing_while_the_other_node_is_down(
    jp_factory, eu_node, live_server, eu_token
):
    jp = peer_of(jp_factory, live_server)
    eu_node.peer(jp)
    jp.post("/api/v1/cycles", jp.secretariat_token, CALENDAR)
    assert pull().error == ""
    # JP cannot take its phase on its own proposal: EU has not agreed (on either node).
    with pytest.raises(urllib.error.HTTPError) as waiting:
        jp.post("/api/v1/cycles/2025/phase", jp.secretariat_token, {"phase": "call_open"})
    assert waiting.value.code == 409
    jp.stop()
    # Nor can the EU secretariat take a phase for JP's cycle, nor agree to a calendar JP never proposed.
    assert eu_post("/api/v1/cycles/2025/phase", eu_token, {"phase": "call_open"}).status_code == 409
    assert eu_post("/api/v1/cycles/2031/calendar/agree", eu_token).status_code == 404
    assert Client().get("/api/v1/cycles/2025").json()["phase"] == "planned"


@pytest.mark.parametrize("hours", [7, -7])
def test_a_clock_skew_of_hours_keeps_each_record_timed_by_its_signer_and_agrees_only_with_both(
    jp_factory, eu_node, live_server, eu_token, hours
):
    skewed = peer_of(jp_factory, live_server, "skewed", skew_seconds=hours * 3600)
    eu_node.peer(skewed)
    skewed.post("/api/v1/cycles", skewed.secretariat_token, CALENDAR)
    assert pull().error == ""

    proposal = CalendarProposal.objects.get()
    # The proposal is timed by its signer, the JP node's clock: neither refused nor re-timed here.
    offset = proposal.proposed_at - timezone.now()
    assert abs(offset - datetime.timedelta(hours=hours)) < datetime.timedelta(minutes=10)
    seen = Client().get("/api/v1/cycles/2025").json()
    assert (seen["calendar_agreed"], seen["calendar_proposal"]["proposed_by"]) == (False, "JP")

    assert eu_post("/api/v1/cycles/2025/calendar/agree", eu_token).status_code == 200
    skewed.call("ledger", "sync")
    at_jp = get(skewed, "/api/v1/cycles/2025", skewed.secretariat_token)
    assert at_jp["calendar_agreed"] is True
    # Both sides agreed whatever the clocks say: the skewed node's phase is taken and reaches this node.
    skewed.post("/api/v1/cycles/2025/phase", skewed.secretariat_token, {"phase": "call_open"})
    assert pull().error == ""
    assert Client().get("/api/v1/cycles/2025").json()["phase"] == "call_open"

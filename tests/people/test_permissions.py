"""The permission matrix: every role against every write path, on the API and on the web alike.

The rule that never bends: no user can ever write as the other party, through any path. A secretariat
edits everything of its own party; an action lead edits the actions its organisation leads; member
states and stakeholders comment; the public and holders of a revoked token write nothing. A refused
write changes nothing.
"""

import json
from dataclasses import dataclass

import pytest
from django.test import Client

from partnership.people.models import Organisation, Party
from partnership.people.services import create_member, create_token, revoke_token
from partnership.programme import services
from partnership.programme.models import (
    Comment,
    Deliverable,
    Indicator,
    IndicatorValue,
    JointAction,
    ProgressUpdate,
)
from tests.conftest import PASSWORD
from tests.factories import DeliverableFactory, IndicatorFactory

# Paragraph 48 is led by jp-mic (not eu-dg-grow); paragraph 72 by eu-dg-grow (not jp-mic).
PARAGRAPHS = (48, 72)
PARTIES = ("JP", "EU")

#: role -> (its party, the paragraphs whose progress it may write). Comments are open to every member.
MAY_WRITE = {
    "jp_secretariat": ("JP", {48, 72}),
    "eu_secretariat": ("EU", {48, 72}),
    "jp_lead": ("JP", {48}),
    "eu_lead": ("EU", {72}),
    "jp_stakeholder": ("JP", set()),
    "eu_stakeholder": ("EU", set()),
    "eu_member_state": ("EU", set()),
}
ROLES = [*MAY_WRITE, "anonymous", "revoked_token"]


# --- the world every case starts from --------------------------------------------------------------


@dataclass
class World:
    """Members of every role, a revoked token, and one deliverable and indicator per party and action."""

    members: dict
    revoked_token: str
    deliverables: dict  # (paragraph, party) -> Deliverable
    indicators: dict  # (paragraph, party) -> Indicator


@pytest.fixture
def world(members):
    # The revoked token belongs to a secretariat, so the revocation alone explains a refusal.
    holder = create_member(
        "jp-revoked", PASSWORD, Organisation.objects.get(code="jp-digital-agency"), "secretariat"
    )
    token, raw = create_token(holder, "revoked")
    revoke_token(str(token.pk))
    deliverables, indicators = {}, {}
    for paragraph in PARAGRAPHS:
        action = JointAction.objects.get(paragraph=paragraph)
        for code in PARTIES:
            party = Party.objects.get(code=code)
            deliverables[paragraph, code] = DeliverableFactory(
                action=action, party=party, title=f"{code} deliverable {paragraph}"
            )
            indicators[paragraph, code] = IndicatorFactory(action=action, party=party)
    return World(members=members, revoked_token=raw, deliverables=deliverables, indicators=indicators)


def state() -> dict:
    """Everything a write could change: row counts, and each mutable record's revision and fields."""
    return {
        "updates": ProgressUpdate.objects.count(),
        "deliverables": sorted(
            Deliverable.objects.values_list("uid", "revision", "title", "status", "party__code")
        ),
        "indicators": sorted(Indicator.objects.values_list("uid", "revision", "unit", "party__code")),
        "values": IndicatorValue.objects.count(),
        "comments": Comment.objects.count(),
    }


# --- how each role calls --------------------------------------------------------------------------


def api_headers(world: World, role: str, token_for) -> dict:
    if role == "anonymous":
        return {}
    if role == "revoked_token":
        return {"HTTP_AUTHORIZATION": "Bearer " + world.revoked_token}
    return {"HTTP_AUTHORIZATION": token_for(world.members[role])}


def web_client(world: World, role: str) -> tuple[Client, dict]:
    client = Client()
    if role == "revoked_token":
        # The web does not take tokens: a page asked with one is asked by nobody.
        return client, {"HTTP_AUTHORIZATION": "Bearer " + world.revoked_token}
    if role != "anonymous":
        client.force_login(world.members[role])
    return client, {}


def may_write(role: str, paragraph: int, party: str) -> bool:
    """The expected verdict, from the table above (not from the code under test)."""
    if role not in MAY_WRITE:
        return False
    own_party, paragraphs = MAY_WRITE[role]
    return party == own_party and paragraph in paragraphs


def role_party(role: str) -> str | None:
    return MAY_WRITE[role][0] if role in MAY_WRITE else None


# --- the write paths ------------------------------------------------------------------------------
# Each takes (client, headers, world, paragraph, party) and returns the response. `party` is the party
# whose record is changed; for a creation it is the writer's own (the only one they can write as).


def _json(client, method, path, body, headers):
    return getattr(client, method)(path, data=json.dumps(body), content_type="application/json", **headers)


def api_file_update(client, headers, world, paragraph, party):
    body = {"status": "at_risk", "narrative": "Workshop postponed.", "language": "en"}
    return _json(client, "post", f"/api/v1/actions/{paragraph}/updates", body, headers)


def api_create_deliverable(client, headers, world, paragraph, party):
    body = {"title": "Joint white paper", "language": "en", "due_cycle": 2027}
    return _json(client, "post", f"/api/v1/actions/{paragraph}/deliverables", body, headers)


def api_change_deliverable(client, headers, world, paragraph, party):
    deliverable = world.deliverables[paragraph, party]
    return _json(
        client,
        "patch",
        f"/api/v1/deliverables/{deliverable.uid}",
        {"status": "in_progress"},
        {**headers, "HTTP_IF_MATCH": services.etag(deliverable)},
    )


def api_create_indicator(client, headers, world, paragraph, party):
    body = {
        "title": "Researchers exchanged",
        "language": "en",
        "unit": "people",
        "baseline_value": "0",
        "baseline_year": 2022,
        "target_value": "40",
        "target_date": "2027-12-31",
    }
    return _json(client, "post", f"/api/v1/actions/{paragraph}/indicators", body, headers)


def api_change_indicator(client, headers, world, paragraph, party):
    indicator = world.indicators[paragraph, party]
    return _json(
        client,
        "patch",
        f"/api/v1/indicators/{indicator.uid}",
        {"unit": "events"},
        {**headers, "HTTP_IF_MATCH": services.etag(indicator)},
    )


def api_record_value(client, headers, world, paragraph, party):
    indicator = world.indicators[paragraph, party]
    body = {"period_start": "2025-01-01", "period_end": "2025-12-31", "value": "4", "source": "minutes"}
    return _json(client, "post", f"/api/v1/indicators/{indicator.uid}/values", body, headers)


def api_comment(client, headers, world, paragraph, party):
    body = {"body": "Our members would like to join the next workshop.", "language": "en"}
    return _json(client, "post", f"/api/v1/actions/{paragraph}/comments", body, headers)


def web_file_update(client, headers, world, paragraph, party):
    data = {"status": "at_risk", "narrative": "Workshop postponed.", "language": "en", "period": ""}
    return client.post(f"/en/actions/{paragraph}/update/", data, **headers)


def _deliverable_form(**changes) -> dict:
    data = {
        "title": "Joint white paper",
        "description": "",
        "language": "en",
        "due_date": "",
        "due_period": "2027",
        "status": "planned",
        "evidence": "",
    }
    return {**data, **changes}


def web_create_deliverable(client, headers, world, paragraph, party):
    return client.post(f"/en/actions/{paragraph}/deliverables/new/", _deliverable_form(), **headers)


def web_change_deliverable(client, headers, world, paragraph, party):
    deliverable = world.deliverables[paragraph, party]
    data = _deliverable_form(title=deliverable.title, status="in_progress", etag=services.etag(deliverable))
    return client.post(f"/en/actions/{paragraph}/deliverables/{deliverable.uid}/", data, **headers)


def web_record_value(client, headers, world, paragraph, party):
    indicator = world.indicators[paragraph, party]
    data = {"period_start": "2025-01-01", "period_end": "2025-12-31", "value": "4", "source": "minutes"}
    return client.post(f"/en/actions/{paragraph}/indicators/{indicator.uid}/value/", data, **headers)


def web_comment(client, headers, world, paragraph, party):
    data = {"body": "Our members would like to join the next workshop.", "language": "en"}
    return client.post(f"/en/actions/{paragraph}/comments/", data, **headers)


CREATIONS = [(paragraph, None) for paragraph in PARAGRAPHS]
CHANGES = [(paragraph, party) for paragraph in PARAGRAPHS for party in PARTIES]
API_PATHS = [
    (api_file_update, CREATIONS),
    (api_create_deliverable, CREATIONS),
    (api_change_deliverable, CHANGES),
    (api_create_indicator, CREATIONS),
    (api_change_indicator, CHANGES),
    (api_record_value, CHANGES),
    (api_comment, CREATIONS),
]
WEB_PATHS = [
    (web_file_update, CREATIONS),
    (web_create_deliverable, CREATIONS),
    (web_change_deliverable, CHANGES),
    (web_record_value, CHANGES),
    (web_comment, CREATIONS),
]


def _cases(paths):
    return [
        pytest.param(role, path, targets, id=f"{role}-{path.__name__}")
        for role in ROLES
        for path, targets in paths
    ]


def _expected(role, path, paragraph, party) -> bool:
    if path in (api_comment, web_comment):
        return role in MAY_WRITE
    return may_write(role, paragraph, party or role_party(role))


# --- the matrix -----------------------------------------------------------------------------------


def test_the_matrix_rests_on_the_programme_leads(programme):
    """The cases below assume these leads; if the programme file changes them, the matrix must too."""
    leads = {
        p: set(JointAction.objects.get(paragraph=p).leads.values_list("code", flat=True)) for p in (48, 72)
    }
    assert "jp-mic" in leads[48] and "eu-dg-grow" not in leads[48]
    assert "eu-dg-grow" in leads[72] and "jp-mic" not in leads[72]


@pytest.mark.parametrize(("role", "path", "targets"), _cases(API_PATHS))
def test_api_write(client, world, token_for, role, path, targets):
    headers = api_headers(world, role, token_for)
    for paragraph, party in targets:
        case = f"{role} {path.__name__} on {paragraph} of {party or 'their own party'}"
        before = state()
        response = path(client, headers, world, paragraph, party)
        if _expected(role, path, paragraph, party):
            assert response.status_code in (200, 201), (case, response.content)
            assert state() != before, case
            if "party" in response.json():
                assert response.json()["party"] == role_party(role), case
            continue
        expected_status = 401 if role in ("anonymous", "revoked_token") else 403
        assert response.status_code == expected_status, (case, response.content)
        assert set(response.json()["error"]) == {"code", "message", "fields"}, case
        if expected_status == 401:
            assert response["WWW-Authenticate"].startswith("Bearer"), case
        assert state() == before, case


@pytest.mark.parametrize(("role", "path", "targets"), _cases(WEB_PATHS))
def test_web_write(world, role, path, targets):
    client, headers = web_client(world, role)
    for paragraph, party in targets:
        case = f"{role} {path.__name__} on {paragraph} of {party or 'their own party'}"
        before = state()
        response = path(client, headers, world, paragraph, party)
        if _expected(role, path, paragraph, party):
            assert response.status_code == 302, (case, response.content)
            assert response["Location"] == f"/en/actions/{paragraph}/", case
            assert state() != before, case
            continue
        if role in ("anonymous", "revoked_token"):
            assert response.status_code == 302, case
            assert response["Location"].startswith("/en/login/"), case
        else:
            assert response.status_code == 403, case
            assert b"Traceback" not in response.content, case
        assert state() == before, case


def test_a_written_update_is_always_the_authors_party(client, world, token_for):
    """Whoever files, the update belongs to their own party and organisation, on both paths."""
    api_file_update(client, api_headers(world, "jp_lead", token_for), world, 48, None)
    web_client_, headers = web_client(world, "eu_secretariat")
    web_file_update(web_client_, headers, world, 48, None)
    filed = {(u.party.code, u.organisation.code) for u in ProgressUpdate.objects.filter(action__paragraph=48)}
    assert filed == {("JP", "jp-mic"), ("EU", "eu-dg-connect")}


# --- the other party, explicitly ------------------------------------------------------------------


def test_jp_secretariat_cannot_change_an_eu_deliverable_through_the_api(client, world, token_for):
    before = state()
    response = api_change_deliverable(
        client, api_headers(world, "jp_secretariat", token_for), world, 48, "EU"
    )
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "forbidden"
    assert "own party" in response.json()["error"]["message"]
    assert state() == before


def test_eu_secretariat_cannot_change_a_jp_indicator_or_record_its_values(client, world, token_for):
    headers = api_headers(world, "eu_secretariat", token_for)
    before = state()
    assert api_change_indicator(client, headers, world, 72, "JP").status_code == 403
    assert api_record_value(client, headers, world, 72, "JP").status_code == 403
    assert state() == before


def test_jp_secretariat_cannot_change_an_eu_deliverable_on_the_web(world):
    client, headers = web_client(world, "jp_secretariat")
    before = state()
    response = web_change_deliverable(client, headers, world, 72, "EU")
    assert response.status_code == 403
    assert state() == before


def test_naming_the_other_party_in_the_body_is_forbidden_and_changes_nothing(client, world, token_for):
    """The party always comes from the author: naming the other one is 403, on the API and on the web."""
    headers = api_headers(world, "jp_secretariat", token_for)
    before = state()
    body = {"status": "done", "narrative": "Signed.", "language": "en", "party": "EU"}
    response = _json(client, "post", "/api/v1/actions/48/updates", body, headers)
    assert response.status_code == 403
    assert response.json()["error"]["message"] == "You can only write for your own party."

    web, _ = web_client(world, "jp_secretariat")
    data = {"status": "done", "narrative": "Signed.", "language": "en", "party": "EU"}
    response = web.post("/en/actions/48/update/", data)
    assert response.status_code == 403
    assert "You can only write for your own party." in response.content.decode()
    assert state() == before


def test_naming_ones_own_party_is_accepted(client, world, token_for):
    headers = api_headers(world, "jp_secretariat", token_for)
    body = {"status": "done", "narrative": "Signed.", "language": "en", "party": "JP"}
    response = _json(client, "post", "/api/v1/actions/48/updates", body, headers)
    assert response.status_code == 201
    assert response.json()["party"] == "JP"


def test_an_owner_organisation_of_the_other_party_is_refused(client, world, token_for):
    headers = api_headers(world, "jp_secretariat", token_for)
    before = state()
    body = {"title": "Joint paper", "language": "en", "due_cycle": 2027, "organisation": "eu-dg-connect"}
    response = _json(client, "post", "/api/v1/actions/48/deliverables", body, headers)
    assert response.status_code == 403
    assert "eu-dg-connect is not an organisation of your party" in response.json()["error"]["message"]

    deliverable = world.deliverables[48, "JP"]
    response = _json(
        client,
        "patch",
        f"/api/v1/deliverables/{deliverable.uid}",
        {"organisation": "eu-dg-connect"},
        {**headers, "HTTP_IF_MATCH": services.etag(deliverable)},
    )
    assert response.status_code == 403
    assert "eu-dg-connect is not an organisation of your party" in response.json()["error"]["message"]
    assert state() == before


def test_a_user_of_no_party_writes_nothing(client, programme, token_for):
    """An account without a membership (e.g. an operator) can sign in but not act for any party."""
    from django.contrib.auth.models import User

    operator = User.objects.create_user("operator", password=PASSWORD)
    before = state()
    response = api_comment(client, {"HTTP_AUTHORIZATION": token_for(operator)}, None, 48, None)
    assert response.status_code == 403
    web = Client()
    web.force_login(operator)
    assert web_comment(web, {}, None, 48, None).status_code == 403
    assert state() == before


def test_a_deactivated_member_writes_nothing(client, world, token_for):
    user = world.members["jp_secretariat"]
    authorization = token_for(user)
    user.is_active = False
    user.save()
    before = state()
    response = api_file_update(client, {"HTTP_AUTHORIZATION": authorization}, world, 48, None)
    assert response.status_code == 401
    assert state() == before


def test_a_revoked_token_is_not_rescued_by_a_session(client, world):
    """A request that sends a token is judged by it: a revoked token fails even with a valid session."""
    client.force_login(world.members["jp_secretariat"])
    before = state()
    response = api_file_update(
        client, {"HTTP_AUTHORIZATION": "Bearer " + world.revoked_token}, world, 48, None
    )
    assert response.status_code == 401
    assert state() == before


# --- the back office ------------------------------------------------------------------------------


def _admin_form(deliverable: Deliverable, **changes) -> dict:
    data = {
        "title": deliverable.title,
        "description": deliverable.description,
        "language": deliverable.language,
        "due_date": deliverable.due_date.isoformat() if deliverable.due_date else "",
        "due_period": deliverable.due_period or "",
        "status": deliverable.status,
        "evidence": "",
        "revision": deliverable.revision,
    }
    return {**data, **changes}


def test_jp_secretariat_cannot_change_an_eu_deliverable_in_the_admin(world):
    user = world.members["jp_secretariat"]
    user.is_staff = True
    user.save()
    client = Client()
    client.force_login(user)
    deliverable = world.deliverables[48, "EU"]
    url = f"/en/admin/programme/deliverable/{deliverable.pk}/change/"
    before = state()
    response = client.post(url, _admin_form(deliverable, title="Rewritten by JP", status="dropped"))
    assert response.status_code == 403
    assert state() == before


def test_jp_secretariat_changes_a_jp_deliverable_in_the_admin(world):
    """The control case: the refusal above is about the party, not about the admin being shut."""
    user = world.members["jp_secretariat"]
    user.is_staff = True
    user.save()
    client = Client()
    client.force_login(user)
    deliverable = world.deliverables[48, "JP"]
    url = f"/en/admin/programme/deliverable/{deliverable.pk}/change/"
    response = client.post(url, _admin_form(deliverable, status="delivered"))
    assert response.status_code == 302, response.content
    deliverable.refresh_from_db()
    assert (deliverable.status, deliverable.revision) == ("delivered", 2)


# --- the node's party and records signed by a peer node ---------------------------------------------


@pytest.mark.parametrize(
    ("node_party", "member", "allowed"),
    [
        ("", "jp_secretariat", True),
        ("", "eu_secretariat", True),
        ("JP", "jp_lead", True),
        ("JP", "eu_secretariat", False),
        ("EU", "eu_lead", True),
        ("EU", "jp_secretariat", False),
    ],
)
def test_a_federated_node_signs_only_its_own_partys_records(members, settings, node_party, member, allowed):
    from partnership.errors import PermissionDenied
    from partnership.people import permissions

    settings.NODE_PARTY = node_party
    actor = permissions.actor_for(members[member])
    assert permissions.writes_on_this_node(actor) is allowed
    lead_ids = set(
        Organisation.objects.filter(code__in=["jp-mic", "eu-dg-grow"]).values_list("pk", flat=True)
    )
    assert permissions.can_edit_progress(actor, actor.party.pk, lead_ids) is allowed
    if allowed:
        assert permissions.require_node_party(actor) is actor
    else:
        with pytest.raises(PermissionDenied, match=f"This node is run by {node_party}"):
            permissions.require_node_party(actor)


def test_a_record_signed_by_a_peer_node_is_never_writable_here():
    from partnership.errors import PermissionDenied
    from partnership.people import permissions

    permissions.require_local_record(None)
    with pytest.raises(PermissionDenied, match="signed by the EU node; it can only be changed there"):
        permissions.require_local_record("EU")


# --- the cycle: each party owns its word -------------------------------------------------------------
# A secretariat moderates the contributions of its own party's stakeholders and Member States (the EU
# Member States are of the EU side); follow-up on a decision or guidance item is recorded by its owner
# organisation or by the owner's party's secretariat. The cycle's web and API paths are in tests/cycle.

#: role -> the parties whose contributors it moderates.
MODERATES = {"jp_secretariat": {"JP"}, "eu_secretariat": {"EU"}}
#: owner organisation -> the roles that may record its follow-up (a joint mechanism has no party).
FOLLOWS_UP = {
    "jp-mic": {"jp_lead", "jp_secretariat"},
    "eu-dg-grow": {"eu_lead", "eu_secretariat"},
    "eu-member-states": {"eu_member_state", "eu_secretariat"},
    "industrial-dialogue": {"jp_secretariat", "eu_secretariat"},
}


@pytest.mark.parametrize("role", [*MAY_WRITE, "anonymous"])
def test_a_secretariat_moderates_its_own_partys_contributors_only(members, role):
    from partnership.people.permissions import actor_for, can_moderate

    actor = actor_for(members[role]) if role != "anonymous" else None
    for contributor in ("jp-jbce", "eu-ebc", "eu-member-states"):
        organisation = Organisation.objects.get(code=contributor)
        expected = organisation.party.code in MODERATES.get(role, set())
        assert can_moderate(actor, organisation.party_id) is expected, (role, contributor)


@pytest.mark.parametrize("role", [*MAY_WRITE, "anonymous"])
def test_follow_up_is_the_owners_or_its_own_partys_secretariats(members, role):
    from partnership.people.permissions import actor_for, can_follow_up

    actor = actor_for(members[role]) if role != "anonymous" else None
    for owner, allowed in FOLLOWS_UP.items():
        organisation = Organisation.objects.get(code=owner)
        assert can_follow_up(actor, organisation.pk, organisation.party_id) is (role in allowed), (
            role,
            owner,
        )


def test_on_a_federated_node_the_other_partys_secretariat_moderates_nothing(members, settings):
    from partnership.people.permissions import actor_for, can_moderate

    settings.NODE_PARTY = "JP"
    eu = Party.objects.get(code="EU")
    assert not can_moderate(actor_for(members["eu_secretariat"]), eu.pk)

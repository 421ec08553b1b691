"""The people API (`/api/v1/people/...`): the same services as the pages and the command, so the same
matrix: only the own party's secretariat invites, lists, changes and deactivates; the other party's
secretariat is refused at every step; accepting an invitation needs its token and nothing else."""

import re

import pytest
from django.contrib.auth.models import User
from django.core import mail
from django.test import Client

INVITATION = {
    "email": "hanako@soumu.example",
    "organisation": "jp-mic",
    "role": "action_lead",
    "language": "ja",
}
NEW_PASSWORD = "violet-kettle-harbour-42"


def signs_in(username: str, password: str) -> bool:
    """Whether the login page lets `username` in with `password` (as a person would sign in)."""
    answer = Client().post("/en/login/", {"username": username, "password": password})
    return answer.status_code == 302 and answer["Location"] == "/en/dashboard/"


def _call(client, method, path, token=None, body=None):
    headers = {"HTTP_AUTHORIZATION": token} if token else {}
    return getattr(client, method)(f"/api/v1/{path}", data=body, content_type="application/json", **headers)


def test_a_secretariat_invites_and_the_invitee_accepts_through_the_api(client, members, token_for):
    jp = token_for(members["jp_secretariat"])
    created = _call(client, "post", "people/invitations", jp, INVITATION)
    assert created.status_code == 201, created.json()
    person = created.json()
    assert (person["organisation"], person["role"], person["status"]) == ("jp-mic", "action_lead", "invited")
    assert "welcome" not in created.content.decode()  # the link goes to the invitee's mail only

    token = re.search(r"/people/welcome/([^/\s]+)/", mail.outbox[0].body).group(1)
    accepted = _call(
        client,
        "post",
        "people/invitations/accept",
        body={"token": token, "password": NEW_PASSWORD, "password_confirmation": NEW_PASSWORD},
    )
    assert accepted.status_code == 200, accepted.json()
    assert accepted.json() == {"username": "hanako@soumu.example"}
    again = _call(
        client,
        "post",
        "people/invitations/accept",
        body={"token": token, "password": "x" + NEW_PASSWORD, "password_confirmation": "x" + NEW_PASSWORD},
    )
    assert again.status_code == 422
    assert "token" in again.json()["error"]["fields"]
    assert signs_in("hanako@soumu.example", NEW_PASSWORD)

    listed = _call(client, "get", "people", jp).json()
    assert {"hanako@soumu.example", "jp-secretariat", "jp-lead"} <= {p["username"] for p in listed}
    assert {p["party"] for p in listed} == {"JP"}
    assert next(p for p in listed if p["username"] == "hanako@soumu.example")["status"] == "active"


def test_bad_input_answers_422_naming_the_field(client, members, token_for):
    jp = token_for(members["jp_secretariat"])
    for change, field in (
        ({"email": "not-an-address"}, "email"),
        ({"organisation": "jp-nowhere"}, "organisation"),
        ({"role": "stakeholder"}, "role"),
    ):
        answer = _call(client, "post", "people/invitations", jp, {**INVITATION, **change})
        assert answer.status_code == 422, answer.json()
        assert field in answer.json()["error"]["fields"]
    assert not User.objects.filter(email="hanako@soumu.example").exists()
    assert mail.outbox == []


@pytest.mark.parametrize("who", ["eu_secretariat", "jp_lead", "jp_stakeholder", "eu_member_state", None])
def test_everyone_but_the_own_secretariat_is_refused_at_every_step(client, members, token_for, who):
    token = token_for(members[who]) if who else None
    refused = 403 if who else 401
    target = members["jp_lead"]
    steps = [
        ("post", "people/invitations", INVITATION),
        ("get", f"people/{target.pk}", None),
        ("patch", f"people/{target.pk}", {"organisation": "jp-digital-agency", "role": "secretariat"}),
        ("post", f"people/{target.pk}/deactivate", None),
    ]
    if who != "eu_secretariat":  # the EU secretariat lists its own party's people (below)
        steps.append(("get", "people", None))
    for method, path, body in steps:
        answer = _call(client, method, path, token, body)
        assert answer.status_code == refused, (method, path, answer.content)
    target.refresh_from_db()
    assert target.is_active and target.membership.organisation.code == "jp-mic"
    assert not User.objects.filter(email="hanako@soumu.example").exists()
    assert mail.outbox == []


def test_the_other_partys_secretariat_never_sees_its_peoples_private_details(client, members, token_for):
    members["jp_lead"].email = "lead@soumu.example"
    members["jp_lead"].save()
    assert signs_in("jp-lead", "correct-horse-battery-9")  # a last login to hide
    listed = _call(client, "get", "people", token_for(members["eu_secretariat"]))
    assert listed.status_code == 200
    assert {p["party"] for p in listed.json()} == {"EU"}
    assert "lead@soumu.example" not in listed.content.decode()
    assert "jp-lead" not in listed.content.decode()


def test_a_secretariat_changes_and_deactivates_its_person(client, members, token_for):
    jp = token_for(members["jp_secretariat"])
    lead = members["jp_lead"]
    changed = _call(client, "patch", f"people/{lead.pk}", jp, {"language": "ja"})
    assert changed.status_code == 200
    assert (changed.json()["organisation"], changed.json()["language"]) == ("jp-mic", "ja")
    gone = _call(client, "post", f"people/{lead.pk}/deactivate", jp)
    assert gone.json()["status"] == "deactivated"
    back = _call(client, "post", f"people/{lead.pk}/reactivate", jp)
    assert back.json()["status"] == "active"
    own = _call(client, "post", f"people/{members['jp_secretariat'].pk}/deactivate", jp)
    assert own.status_code == 403
    missing = _call(client, "patch", "people/999999", jp, {"language": "ja"})
    assert missing.status_code == 404


def test_on_a_federated_node_the_other_partys_secretariat_is_refused_on_the_api_and_the_pages(
    client, members, token_for, settings
):
    from tests.helpers import signed_in

    settings.NODE_PARTY = "JP"
    eu = token_for(members["eu_secretariat"])
    own_party_invitation = {
        **INVITATION,
        "email": "jan@ec.example",
        "organisation": "eu-dg-grow",
        "language": "en",
    }
    assert _call(client, "post", "people/invitations", eu, own_party_invitation).status_code == 403
    assert _call(client, "get", "people", eu).status_code == 403
    assert _call(client, "post", f"people/{members['eu_lead'].pk}/deactivate", eu).status_code == 403
    page = signed_in(members["eu_secretariat"])
    assert page.get("/en/people/").status_code == 403
    assert page.post("/en/people/invite/", own_party_invitation).status_code == 403
    assert not User.objects.filter(email="jan@ec.example").exists()
    members["eu_lead"].refresh_from_db()
    assert members["eu_lead"].is_active
    # The node's own party onboards as usual.
    jp = token_for(members["jp_secretariat"])
    assert _call(client, "post", "people/invitations", jp, INVITATION).status_code == 201

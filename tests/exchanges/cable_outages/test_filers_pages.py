"""The secretariat's pages for the reporting rules (its party's profile, the responsible filers) in both
languages, the same rules on the API, and who is refused on each: anonymous, the other party's
secretariat, an operator, a stakeholder, a member of the party without the secretariat role."""

import pytest

from partnership.exchanges.cable_outages import services
from partnership.exchanges.cable_outages.models import PartyProfile, ResponsibleFiler
from partnership.ledger.models import LogEntry

from .test_outages import CABLE

pytestmark = pytest.mark.django_db

API = "/api/v1/cables/outages"
PROFILE = {
    "notification_hours": "6",
    "notification_after": "detection",
    "final_hours": "48",
    "final_after": "notification",
}


def refused_users(members, operators):
    return {
        "other party's secretariat": members["eu_secretariat"],
        "operator": operators["jp-cable-a"],
        "stakeholder": members["jp_stakeholder"],
        "member without the secretariat role": members["jp_lead"],
    }


@pytest.fixture
def jp_node(settings):
    """This process as the JP node: only the JP's records are signed here."""
    settings.NODE_PARTY = "JP"


@pytest.mark.parametrize("language", ["en", "ja"])
def test_the_secretariat_edits_its_profile_on_the_page(client, members, operators, jp_node, language):
    client.force_login(members["jp_secretariat"])
    listed = client.get(f"/{language}/cables/outages/profiles/")
    html = listed.content.decode()
    assert listed.status_code == 200 and "47 CFR" in html and "NIS2" in html
    assert "/cables/outages/profiles/edit/" in html
    form = client.get(f"/{language}/cables/outages/profiles/edit/")
    assert form.status_code == 200 and 'name="revision" value="0"' in form.content.decode()
    bad = client.post(
        f"/{language}/cables/outages/profiles/edit/", {**PROFILE, "final_hours": "0", "revision": "0"}
    )
    assert bad.status_code == 200 and not PartyProfile.objects.exists()
    assert 'id="final_hours_error"' in bad.content.decode()  # the field is named on the form
    backwards = client.post(
        f"/{language}/cables/outages/profiles/edit/",
        {"notification_hours": "6", "notification_after": "final", "final_hours": "5", "revision": "0"},
    )
    assert backwards.status_code == 200 and not PartyProfile.objects.exists()
    done = client.post(f"/{language}/cables/outages/profiles/edit/", {**PROFILE, "revision": "0"})
    assert done.status_code == 302
    assert PartyProfile.objects.get().stages == [
        {"stage": "notification", "hours": 6, "after": "detection"},
        {"stage": "final", "hours": 48, "after": "notification"},
    ]
    shown = client.get(f"/{language}/cables/outages/profiles/").content.decode()
    assert "JP" in shown and "<td>48</td>" in shown
    # A stale form (revision 0, the profile is at 1) changes nothing and says so.
    stale = client.post(
        f"/{language}/cables/outages/profiles/edit/", {**PROFILE, "final_hours": "99", "revision": "0"}
    )
    assert stale.status_code == 200 and 'role="alert"' in stale.content.decode()
    assert PartyProfile.objects.get().stages[1]["hours"] == 48


@pytest.mark.parametrize("language", ["en", "ja"])
def test_the_secretariat_designates_and_revokes_a_filer_on_the_page(
    client, members, operators, jp_node, language
):
    client.force_login(members["jp_secretariat"])
    page = client.get(f"/{language}/cables/outages/filers/")
    html = page.content.decode()
    assert page.status_code == 200 and 'name="co_owners"' in html and "eu-cable" in html
    bad = client.post(
        f"/{language}/cables/outages/filers/", {"cable": CABLE, "organisation": "eu-cable"}
    )  # the other party's operator cannot file for this party
    assert bad.status_code == 200 and "organisation" in bad.content.decode()
    assert not ResponsibleFiler.objects.exists()
    done = client.post(
        f"/{language}/cables/outages/filers/",
        {"cable": CABLE, "organisation": "jp-cable-a", "co_owners": ["eu-cable", "jp-cable-b"]},
    )
    assert done.status_code == 302
    held = ResponsibleFiler.objects.get()
    assert sorted(org.code for org in held.co_owners.all()) == ["eu-cable", "jp-cable-b"]
    assert held.ledger_entry is not None
    listed = client.get(f"/{language}/cables/outages/filers/").content.decode()
    assert "jp-cable-a" in listed and f"/cables/outages/filers/{CABLE}/revoke/" in listed
    assert client.post(f"/{language}/cables/outages/filers/{CABLE}/revoke/").status_code == 302
    assert ResponsibleFiler.objects.get().revoked_at is not None


def test_who_is_refused_on_the_pages(client, members, operators, jp_node):
    services.designate_filer(members["jp_secretariat"], CABLE, "jp-cable-a", [])
    before = LogEntry.objects.count()
    edit, filers_page, revoke = (
        "/en/cables/outages/profiles/edit/",
        "/en/cables/outages/filers/",
        f"/en/cables/outages/filers/{CABLE}/revoke/",
    )
    for path in (edit, filers_page, "/en/cables/outages/profiles/"):
        assert client.get(path).status_code == 302  # anonymous: to the sign-in page
    assert client.post(edit, {**PROFILE, "revision": "0"}).status_code == 302
    assert client.post(revoke).status_code == 302
    for who, user in refused_users(members, operators).items():
        client.force_login(user)
        assert client.get(edit).status_code == 403, who
        assert client.post(edit, {**PROFILE, "revision": "0"}).status_code == 403, who
        assert client.post(filers_page, {"cable": CABLE, "organisation": "jp-cable-b"}).status_code == 403, (
            who
        )
        assert client.post(revoke).status_code == 403, who
        page = client.get(filers_page)
        # Every reader of outage reports sees who files (an operator must know); no form, no button.
        assert page.status_code == 200 and 'name="co_owners"' not in page.content.decode(), who
        assert "/revoke/" not in page.content.decode(), who
    assert not PartyProfile.objects.exists() and LogEntry.objects.count() == before
    held = ResponsibleFiler.objects.get()
    assert (held.organisation.code, held.revision, held.revoked_at) == ("jp-cable-a", 1, None)


def auth(token_for, user):
    return {"Authorization": token_for(user)} if user is not None else {}


def test_who_is_refused_on_the_api(client, token_for, members, operators, jp_node):
    services.designate_filer(members["jp_secretariat"], CABLE, "jp-cable-a", [])
    before = LogEntry.objects.count()
    body = {"stages": [{"stage": "notification", "hours": 6}], "revision": 0}
    filer = {"cable": CABLE, "organisation": "jp-cable-b", "co_owners": []}
    users = {"anonymous": None, **refused_users(members, operators)}
    for who, user in users.items():
        expected = 401 if user is None else 403
        headers = auth(token_for, user)
        put = client.put(f"{API}/profiles/party", body, content_type="application/json", headers=headers)
        assert put.status_code == expected, who
        post = client.post(f"{API}/filers", filer, content_type="application/json", headers=headers)
        assert post.status_code == expected, who
        assert client.delete(f"{API}/filers/{CABLE}", headers=headers).status_code == expected, who
    assert not PartyProfile.objects.exists() and LogEntry.objects.count() == before
    headers = auth(token_for, members["jp_secretariat"])
    listed = client.get(f"{API}/filers", headers=auth(token_for, operators["jp-cable-b"])).json()
    assert [(row["cable"], row["organisation"], row["signed_by"]) for row in listed] == [
        (CABLE, "jp-cable-a", None)
    ]
    changed = client.post(
        f"{API}/filers",
        {**filer, "co_owners": ["eu-cable"]},
        content_type="application/json",
        headers=headers,
    )
    assert changed.status_code == 201 and changed.json()["revision"] == 2
    assert changed.json()["co_owners"] == ["eu-cable"]
    bad = client.post(
        f"{API}/filers", {**filer, "co_owners": ["nobody"]}, content_type="application/json", headers=headers
    )
    assert bad.status_code == 422 and "co_owners" in bad.json()["error"]["fields"]
    revoked = client.delete(f"{API}/filers/{CABLE}", headers=headers)
    assert revoked.status_code == 200 and revoked.json()["revoked"] is True
    assert client.delete(f"{API}/filers/{CABLE}", headers=headers).status_code == 404
    done = client.put(f"{API}/profiles/party", body, content_type="application/json", headers=headers)
    assert done.status_code == 200 and done.json()["revision"] == 1
    stale = client.put(f"{API}/profiles/party", body, content_type="application/json", headers=headers)
    assert stale.status_code == 409
    named = client.put(
        f"{API}/profiles/party",
        {"stages": [{"stage": "notification", "hours": 6}, {"stage": "final", "hours": 1, "after": "plan?"}]},
        content_type="application/json",
        headers=headers,
    )
    assert named.status_code == 422 and "stages[1].after" in named.json()["error"]["fields"]


def test_the_command_shows_sets_designates_and_revokes(members, operators, capsys):
    from django.core.management import CommandError, call_command

    call_command(
        "cables",
        "profile",
        "set",
        "--user",
        "jp-secretariat",
        "--stage",
        "notification:6",
        "--stage",
        "final:48:notification",
        "--revision",
        "0",
    )
    assert "revision 1" in capsys.readouterr().out
    with pytest.raises(CommandError, match="revision"):
        call_command(
            "cables",
            "profile",
            "set",
            "--user",
            "jp-secretariat",
            "--stage",
            "notification:9",
            "--revision",
            "0",
        )
    with pytest.raises(CommandError):
        call_command("cables", "profile", "set", "--user", "jp-mic", "--stage", "notification:9")
    call_command("cables", "profile", "show", "--user", "jp-cable-a-op")
    out = capsys.readouterr().out
    assert "party (party, revision 1)" in out and "final: 48 h after notification" in out
    call_command(
        "cables",
        "filer",
        "designate",
        CABLE,
        "jp-cable-a",
        "--co-owner",
        "eu-cable",
        "--user",
        "jp-secretariat",
    )
    assert "jp-cable-a files" in capsys.readouterr().out
    with pytest.raises(CommandError, match="co_owners"):
        call_command(
            "cables",
            "filer",
            "designate",
            CABLE,
            "jp-cable-a",
            "--co-owner",
            "nobody",
            "--user",
            "jp-secretariat",
        )
    with pytest.raises(CommandError):
        call_command("cables", "filer", "revoke", CABLE, "--user", "eu-secretariat")  # JP designated it
    call_command("cables", "filer", "list", "--user", "jp-cable-b-op")
    assert f"{CABLE}: jp-cable-a (JP); reads: eu-cable" in capsys.readouterr().out
    call_command("cables", "filer", "revoke", CABLE, "--user", "jp-secretariat")
    assert "revoked" in capsys.readouterr().out
    assert ResponsibleFiler.objects.get().revoked_at is not None

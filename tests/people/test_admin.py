"""Users and memberships in the back office (issue 15.5): a secretariat sees its own party's accounts
there, read-only and without password hashes, and none of the other party's; the operator (a
superuser) keeps Django's user admin."""

from django.contrib.auth.models import User

from tests.helpers import signed_in


def _html(response) -> str:
    return response.content.decode()


def test_a_secretariat_sees_only_its_own_partys_users_and_memberships(members):
    members["eu_lead"].email = "lead@ec.example"
    members["eu_lead"].save()
    jp = signed_in(members["jp_secretariat"])  # secretariats are staff (create_member)
    users = jp.get("/en/admin/auth/user/")
    assert users.status_code == 200
    assert "jp-lead" in _html(users)
    assert "eu-lead" not in _html(users) and "lead@ec.example" not in _html(users)
    memberships = jp.get("/en/admin/people/membership/")
    assert memberships.status_code == 200
    assert "jp-stakeholder" in _html(memberships) and "eu-stakeholder" not in _html(memberships)

    # The other party's account is not there to open; its own are read-only, with no password hash.
    assert jp.get(f"/en/admin/auth/user/{members['eu_lead'].pk}/change/").status_code == 302
    own = jp.get(f"/en/admin/auth/user/{members['jp_lead'].pk}/change/")
    assert own.status_code == 200
    assert members["jp_lead"].password not in _html(own)
    assert 'name="username"' not in _html(own)  # a view, not a form
    assert jp.get("/en/admin/auth/user/add/").status_code == 403
    before = User.objects.get(pk=members["jp_lead"].pk).is_active
    jp.post(f"/en/admin/auth/user/{members['jp_lead'].pk}/change/", {"is_active": ""})
    assert User.objects.get(pk=members["jp_lead"].pk).is_active == before


def test_a_lead_has_no_back_office_for_people(members):
    lead = members["jp_lead"]
    lead.is_staff = True  # even if made staff by hand
    lead.save()
    # The back office lets in the operator and the secretariats only (`can_use_back_office`): sent to
    # the admin's sign-in page, which says the account may not enter.
    response = signed_in(lead).get("/en/admin/auth/user/")
    assert response.status_code == 302 and "/admin/login/" in response["Location"]


def test_the_operator_keeps_djangos_user_admin(members):
    operator = User.objects.create_superuser("operator", "op@example.org", "x-operator-password-1")
    page = signed_in(operator).get("/en/admin/auth/user/")
    assert "jp-lead" in _html(page) and "eu-lead" in _html(page)
    assert signed_in(operator).get("/en/admin/auth/user/add/").status_code == 200

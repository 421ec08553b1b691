"""Web login: argon2 passwords, a lockout after repeated failures, and size limits on forms."""

import pytest
from django.contrib.auth.models import User

from tests.conftest import PASSWORD


@pytest.fixture
def jp_secretariat(members):
    return members["jp_secretariat"]


def login(client, password, username="jp-secretariat", language="en"):
    return client.post(f"/{language}/login/", {"username": username, "password": password})


def test_login_with_the_right_password_opens_the_dashboard(client, jp_secretariat):
    response = login(client, PASSWORD)
    assert response.status_code == 302 and response["Location"] == "/en/dashboard/"
    assert client.get("/en/dashboard/").context["user"].username == "jp-secretariat"


def test_a_wrong_password_says_so_and_signs_nobody_in(client, jp_secretariat):
    response = login(client, "wrong password")
    assert response.status_code == 200
    assert "correct username and password" in response.content.decode()
    assert not client.get("/en/dashboard/").context["user"].is_authenticated


def test_repeated_failures_lock_the_account_even_for_the_right_password(client, jp_secretariat, settings):
    for _attempt in range(settings.AXES_FAILURE_LIMIT):
        login(client, "wrong password")
    response = login(client, PASSWORD)
    assert response.status_code == 429
    assert "Signing in is paused" in response.content.decode()
    assert not client.get("/en/dashboard/").context["user"].is_authenticated


def test_the_lockout_page_exists_in_japanese(client, jp_secretariat, settings):
    for _attempt in range(settings.AXES_FAILURE_LIMIT):
        login(client, "wrong password", language="ja")
    response = login(client, PASSWORD, language="ja")
    assert response.status_code == 429
    assert "Signing in is paused" not in response.content.decode()
    assert '<html lang="ja">' in response.content.decode()


def test_a_form_over_the_size_limit_is_refused_in_words(client, jp_secretariat, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    client.force_login(User.objects.get(username="jp-secretariat"))
    response = client.post(
        "/en/actions/46/update/", {"status": "on_track", "narrative": "x" * 5000, "language": "en"}
    )
    assert response.status_code == 400
    assert "nothing was saved" in response.content.decode()

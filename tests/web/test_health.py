"""`/healthz`: 200 when the database answers, 503 when it does not (for load balancers and `make demo`)."""

import threading

from django.db import connections
from django.db.utils import load_backend
from django.test import Client


def test_healthy(client, db):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert response.json()["status"] == "ok"


def test_health_needs_no_login_and_no_language(client, db):
    assert client.get("/healthz").status_code == 200
    assert client.get("/en/healthz").status_code == 404


def _unreachable(settings_dict: dict) -> dict:
    """The same database settings, pointing where no database is."""
    if settings_dict["ENGINE"].endswith("sqlite3"):
        return {**settings_dict, "NAME": "/nonexistent-directory/partnership.sqlite3", "TEST": {}}
    # A closed port on this machine: the connection is refused at once.
    return {**settings_dict, "HOST": "127.0.0.1", "PORT": "1", "OPTIONS": {"connect_timeout": 2}}


def test_unhealthy_when_the_database_is_unreachable(db):
    """A real failure to connect, in a thread whose default connection points nowhere.

    Connections are per thread, so the test's own connection (and its transaction) is left alone.
    """
    default = connections["default"]
    answers = []

    def ask() -> None:
        backend = load_backend(default.settings_dict["ENGINE"])
        connections["default"] = backend.DatabaseWrapper(_unreachable(default.settings_dict), "default")
        try:
            response = Client().get("/healthz")
            answers.append((response.status_code, response["Content-Type"], response.json()))
        finally:
            connections["default"].close()

    thread = threading.Thread(target=ask)
    thread.start()
    thread.join(timeout=30)
    assert answers, "the health check did not answer"
    status, content_type, body = answers[0]
    assert status == 503
    assert content_type == "application/json"
    assert body["status"] != "ok"
    assert body["database"] == "unreachable"
    assert "Traceback" not in str(body)
    # The node itself is still fine once the database is back.
    assert Client().get("/healthz").status_code == 200

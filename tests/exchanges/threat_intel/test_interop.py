"""Interoperability: the OASIS TAXII 2.1 client (`taxii2-client`) against our server over real HTTP on
loopback (pytest-django's live server): discovery, collections, `as_pages`, `added_after`, add and status."""

import threading
import uuid

import pytest
import requests
from taxii2client.common import _HTTPConnection
from taxii2client.v21 import ApiRoot, Server, Status, as_pages

from tests.conftest import PASSWORD
from tests.exchanges.threat_intel.conftest import indicator, make_community

pytestmark = pytest.mark.django_db(transaction=True)


class BearerAuth(requests.auth.AuthBase):
    """`Authorization: Bearer <token>` for taxii2-client, which takes any requests auth."""

    def __init__(self, token: str):
        self.token = token

    def __call__(self, request):
        request.headers["Authorization"] = f"Bearer {self.token}"
        return request


_open: list = []


def connection(username: str | None = None, password: str = PASSWORD, auth=None) -> _HTTPConnection:
    """A client connection, closed after the test: a keep-alive socket left open would keep a live
    server thread holding the test database after the test ends."""
    opened = _HTTPConnection(user=username, password=password if username else None, auth=auth, version="2.1")
    _open.append(opened)
    return opened


@pytest.fixture
def node(transactional_db, programme, live_server):
    community = make_community()
    yield live_server.url, community
    while _open:
        _open.pop().close()
    # The live server answers each connection in a thread that closes its database connection when
    # the client hangs up; wait for them, so none outlives the test database it shares.
    for thread in threading.enumerate():
        if "process_request_thread" in thread.name:
            thread.join(timeout=5)


def collection_of(url: str, community, username: str = "jp-isac", auth=None):
    root = ApiRoot(f"{url}/taxii2/jp/", conn=connection(None if auth else username, auth=auth))
    return next(c for c in root.collections if c.id == str(community.collection.pk))


def test_discovery_and_collections(node):
    url, community = node
    server = Server(f"{url}/taxii2/", user="eu-isac", password=PASSWORD)
    assert server.title
    _open.extend([server, *server.api_roots])  # each API root has a connection of its own
    assert [root.url for root in server.api_roots] == [f"{url}/taxii2/eu/", f"{url}/taxii2/jp/"]
    assert server.default.url == f"{url}/taxii2/eu/"
    jp = server.api_roots[1]
    assert jp.versions == ["application/taxii+json;version=2.1"]
    [collection] = jp.collections
    assert collection.title == "Shared ISAC feed"
    assert collection.can_read and collection.can_write


def test_add_objects_and_poll_the_status(node):
    url, community = node
    collection = collection_of(url, community)
    good, bad = indicator("good"), {"type": "indicator", "id": f"indicator--{uuid.uuid4()}"}
    status = collection.add_objects({"objects": [good, bad]}, wait_for_completion=False)
    assert status.status == "complete"
    assert (status.success_count, status.failure_count, status.pending_count) == (1, 1, 0)
    polled = Status(f"{url}/taxii2/jp/status/{status.id}/", conn=connection("jp-isac"))
    polled.wait_until_final(poll_interval=0.1, timeout=5)
    assert polled.successes[0]["id"] == good["id"]
    assert polled.failures[0]["id"] == bad["id"]


def test_as_pages_through_a_large_collection_and_added_after_resumption(node, token_for):
    url, community = node
    from partnership.people.services import create_token

    token = create_token(community.users["eu-isac"], "interop")[1]
    writer = collection_of(url, community, auth=BearerAuth(token))
    sent = [indicator(f"n{n}", recipients=["jp-isac"]) for n in range(1203)]
    for start in range(0, len(sent), 400):
        status = writer.add_objects({"objects": sent[start : start + 400]})
        assert status.success_count == len(sent[start : start + 400])

    reader = collection_of(url, community, "jp-isac")  # named recipient of every object
    pages = list(as_pages(reader.get_objects, per_request=100))
    assert len(pages) == 13
    assert [o["id"] for page in pages for o in page["objects"]] == [stix["id"] for stix in sent]
    manifest_pages = list(as_pages(reader.get_manifest, per_request=500))
    entries = [entry for page in manifest_pages for entry in page["objects"]]
    assert len(entries) == len(sent)
    # Who wrote each version rides along in a custom property the client passes over.
    assert {entry["x_partnership_author"] for entry in entries} == {"eu-isac"}

    # A client polling with added_after gets exactly what arrived since its last date_added.
    last_seen = entries[-1]["date_added"]
    assert reader.get_objects(added_after=last_seen) == {}
    later = [indicator("later 1", recipients=["jp-isac"]), indicator("later 2", recipients=["jp-isac"])]
    writer.add_objects({"objects": later})
    resumed = reader.get_objects(added_after=last_seen)
    assert [o["name"] for o in resumed["objects"]] == ["later 1", "later 2"]

    # The third organisation, not named, sees none of it (AMBER by default), on any page.
    third = collection_of(url, community, "jp-cert")
    assert [page.get("objects", []) for page in as_pages(third.get_objects, per_request=100)] == [[]]


def test_errors_reach_the_client_as_http_errors(node):
    url, community = node
    wrong = connection("jp-isac", "wrong-password-1")
    # An error keeps its response, and the response its socket: ask the server to close it after answering.
    wrong.session.headers["Connection"] = "close"
    with pytest.raises(requests.HTTPError) as unauthenticated:
        Server(f"{url}/taxii2/", conn=wrong).refresh()
    response = unauthenticated.value.response
    assert response.status_code == 401
    assert "Basic" in response.headers["WWW-Authenticate"]
    reader = collection_of(url, community, "jp-cert")
    assert reader.can_write is False  # the client refuses on its own; the server refuses too:
    response = requests.post(
        reader.objects_url,
        json={"objects": [indicator()]},
        headers={
            "Content-Type": "application/taxii+json;version=2.1",
            "Accept": "application/taxii+json;version=2.1",
            "Connection": "close",
        },
        auth=("jp-cert", PASSWORD),
        timeout=10,
    )
    assert response.status_code == 403 and response.json()["http_status"] == "403"

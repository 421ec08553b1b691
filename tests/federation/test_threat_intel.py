"""Threat intelligence across two real nodes: JP-ISAC posts to the JP node (its own process), the EU
node (this process) pulls the JP node's log and serves EU-ISAC its copy, under the same TLP rule."""

import base64
import json
import urllib.request

import pytest
from django.contrib.auth.models import User
from django.urls import reverse

from partnership.exchanges.threat_intel.models import Collection, ObjectVersion
from partnership.exchanges.threat_intel.sharing import MARKING_OF_LEVEL
from partnership.ledger import services, sync
from tests.exchanges.threat_intel.conftest import TAXII, Taxii, indicator, make_community

from .nodes import PASSWORD

pytestmark = pytest.mark.django_db(transaction=False)


def taxii(node, path: str, body: dict | None = None) -> dict:
    credentials = base64.b64encode(f"jp-isac:{PASSWORD}".encode()).decode()
    request = urllib.request.Request(
        node.url + path,
        data=json.dumps(body).encode() if body is not None else None,
        headers={"Authorization": f"Basic {credentials}", "Accept": TAXII, "Content-Type": TAXII},
        method="POST" if body is not None else "GET",
    )
    with urllib.request.urlopen(request, timeout=30) as response:
        return json.loads(response.read())


def test_jp_isacs_objects_reach_eu_isac_on_its_own_node_and_only_those_it_may_read(
    jp_factory, eu_node, client
):
    make_community()  # this node's organisations and members, eu-isac among them
    # The JP node knows the EU node (this process) as its peer, so it seals to this node's key.
    jp = jp_factory(env={"PARTNERSHIP_PEERS": f"http://127.0.0.1:9 {services.verifier_key()}"})
    eu_node.peer(jp)
    (feed,) = taxii(jp, "/taxii2/jp/collections/")["collections"]
    green = indicator("green for the community", MARKING_OF_LEVEL["green"])
    red_to_eu = indicator("red for eu-isac", MARKING_OF_LEVEL["red"], ["eu-isac"])
    private = indicator("amber, jp-isac alone", MARKING_OF_LEVEL["amber"])
    status = taxii(
        jp, f"/taxii2/jp/collections/{feed['id']}/objects/", {"objects": [green, red_to_eu, private]}
    )
    assert status["success_count"] == 3

    (result,) = sync.sync_all()

    assert result.error == ""
    assert result.rejected == 0
    copy = Collection.objects.get(pk=feed["id"])
    assert copy.peer == "JP"
    reader = Taxii("eu-isac")
    listed = reader.get(f"/taxii2/jp/collections/{copy.pk}/objects/").json()["objects"]
    assert {item["id"] for item in listed} == {green["id"], red_to_eu["id"]}
    assert not ObjectVersion.objects.filter(stix_id=private["id"]).exists()
    assert all(row.ledger_entry.log == "JP" for row in ObjectVersion.objects.filter(collection=copy))
    assert services.verify_log("JP") == []
    client.force_login(User.objects.get(username="eu-isac"))
    page = client.get(reverse("threat-intel-object", args=["jp", copy.pk, red_to_eu["id"]])).content.decode()
    assert "Signed by the JP node, entry" in page
    assert "red for eu-isac" in page

"""The demo's map: invented, marked as demonstration data, seeded once by a party of this node."""

import pytest
from django.contrib.auth.models import User

from partnership.exchanges.cable_outages.demo import seed_map
from partnership.exchanges.cable_outages.models import Cable, MapImport
from partnership.people.models import Organisation
from partnership.people.services import create_member
from partnership.programme.exchanges import DemoContext

pytestmark = pytest.mark.django_db


def test_the_demo_seeds_an_invented_map_once(programme, settings):
    settings.NODE_PARTY = "EU"
    if not User.objects.filter(username="eu-secretariat").exists():
        create_member(
            "eu-secretariat",
            "a-long-password-1",
            Organisation.objects.get(code="eu-dg-connect"),
            "secretariat",
        )
    assert "seeded" in seed_map(DemoContext(on_this_node=lambda party: party == "EU"))
    assert "kept" in seed_map(DemoContext(on_this_node=lambda party: party == "EU"))
    (record,) = MapImport.objects.all()
    assert record.is_demo and record.party.code == "EU"
    assert all(cable.notes.startswith("Demonstration data") for cable in Cable.objects.all())

"""`make demo` sets up threat-intelligence sharing: both ISACs, a shared collection per API root, samples."""

import io

import pytest
from django.core.management import call_command

from partnership.exchanges.threat_intel.models import Collection, ObjectVersion
from tests.exchanges.threat_intel.conftest import Taxii, basic

pytestmark = pytest.mark.django_db

PASSWORD = "demo-password-for-tests"


def test_the_demo_creates_the_isacs_their_collections_and_samples(programme, settings, tmp_path):
    settings.DEMO_PASSWORD = PASSWORD
    settings.DATA_DIR = tmp_path
    settings.MEDIA_ROOT = tmp_path / "uploads"
    out = io.StringIO()
    call_command("demo", "--no-serve", stdout=out)
    assert "jp-isac" in out.getvalue() and "eu-isac" in out.getvalue()
    collections = {c.api_root.slug: c for c in Collection.objects.filter(title="ISAC community feed")}
    assert set(collections) == {"jp", "eu"}
    for collection in collections.values():
        grants = {
            (g.organisation.code, g.can_read, g.can_write, g.community) for g in collection.grants.all()
        }
        assert grants == {("jp-isac", True, True, True), ("eu-isac", True, True, True)}
    levels = set(ObjectVersion.objects.values_list("tlp", flat=True))
    assert levels == {"clear", "green", "amber", "amber+strict", "red"}

    # Both accounts speak TAXII with the demo password, and TLP applies between them.
    jp = Taxii(None, basic("jp-isac", PASSWORD))
    eu = Taxii(None, basic("eu-isac", PASSWORD))
    url = f"/taxii2/eu/collections/{collections['eu'].pk}/objects/"
    jp_sees = {o["id"] for o in jp.get(url).json()["objects"]}
    eu_sees = {o["id"] for o in eu.get(url).json()["objects"]}
    held_back = "indicator--0b2e4d6f-8a1c-4e3b-b5d7-2f4a6c8e0003"  # the EU ISAC's AMBER, not shared
    assert held_back in eu_sees and held_back not in jp_sees
    assert len(jp_sees) == 3

    # Running the demo again keeps them as they were.
    again = io.StringIO()
    call_command("demo", "--no-serve", stdout=again)
    assert "Threat intelligence: collections kept as they were" in again.getvalue()
    assert Collection.objects.filter(title="ISAC community feed").count() == 2

"""What `make demo` creates for threat intelligence: a community collection in each party's API root."""

from django.contrib.auth.models import User
from django.db import transaction

from partnership.people.models import Organisation
from partnership.programme.exchanges import DemoContext

#: The title of the demo's collection in each API root.
COLLECTION_TITLE = "ISAC community feed"


@transaction.atomic
def seed_collections(context: DemoContext, isac_codes: list[str]) -> list[str]:
    """In each party's TAXII API root on this node, a collection both ISACs read and write (community
    grants, so TLP:GREEN is shared), with sample objects of that party's ISAC; unless it exists already.
    Returns the TAXII addresses of the collections created."""
    from . import queries, samples, services
    from .models import ApiRoot, Collection

    services.ensure_api_roots()
    isacs = [Organisation.objects.get(code=code) for code in isac_codes]
    created = []
    for party, objects in (("JP", samples.jp_isac_objects), ("EU", samples.eu_isac_objects)):
        if not context.on_this_node(party):
            continue
        root = ApiRoot.objects.get(slug=party.lower())
        if Collection.objects.filter(api_root=root, title=COLLECTION_TITLE).exists():
            continue
        collection = services.create_collection(
            root,
            COLLECTION_TITLE,
            description="Shared by the ISACs of both parties (demo).",
            default_tlp="amber",
            allow_custom=True,
        )
        for isac in isacs:
            services.grant(collection, isac, can_read=True, can_write=True, community=True)
        author = User.objects.get(username=f"{party.lower()}-isac")
        status = services.add_objects(queries.caller_for(author), collection, {"objects": objects()})
        if status.failure_count:
            raise RuntimeError(f"the demo's sample objects were refused: {status.failures}")
        created.append(f"/taxii2/{root.slug}/collections/{collection.pk}/")
    return created

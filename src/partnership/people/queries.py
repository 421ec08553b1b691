"""Read paths of the people app: the parties and organisations as the pages, the API and the other apps
list them (public, like the programme)."""

from .models import Organisation, Party


def parties() -> list[Party]:
    """All parties, in code order."""
    return list(Party.objects.order_by("code"))


def organisations() -> list[Organisation]:
    """Every organisation with its party (one query), in the model's order."""
    return list(Organisation.objects.select_related("party"))

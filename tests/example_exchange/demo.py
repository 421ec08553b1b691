"""What `make demo` creates for trend notes: one note of each party's secretariat on this node."""

from django.contrib.auth.models import User
from django.db import transaction

from partnership.programme.exchanges import DemoContext

NOTES = {
    "JP": ("Short-video platforms and minors", "Age assurance is moving into app stores.", "en"),
    "EU": ("Marketplaces and product safety", "Sellers from third countries recall faster.", "en"),
}


@transaction.atomic
def seed_notes(context: DemoContext) -> int:
    """A note of each party's secretariat whose party authors on this node, unless it has one; how many
    were filed."""
    from . import services
    from .models import TrendNote

    filed = 0
    for party, (title, text, language) in NOTES.items():
        if not context.on_this_node(party) or TrendNote.objects.filter(party__code=party).exists():
            continue
        author = User.objects.get(username=f"{party.lower()}-secretariat")
        services.file_note(author, {"title": title, "text": text, "language": language})
        filed += 1
    return filed

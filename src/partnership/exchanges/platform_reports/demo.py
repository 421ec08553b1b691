"""What `make demo` creates for platform reports: statements of reasons of each party's demo platform
on this node."""

from django.contrib.auth.models import User

from partnership.programme.exchanges import DemoContext

#: Statements each demo platform files (in batches of 100, as through the API).
STATEMENTS = 300


def seed_statements(context: DemoContext) -> int:
    """File STATEMENTS statements for each demo platform whose party authors on this node, unless it
    has filed some; how many were filed."""
    from . import samples, services
    from .models import StatementPuid

    filed = 0
    for party in ("EU", "JP"):
        username = f"{party.lower()}-platform"
        if not context.on_this_node(party) or StatementPuid.objects.filter(platform__code=username).exists():
            continue
        platform = User.objects.get(username=username)
        generated = samples.statements(STATEMENTS, seed=len(party) + ord(party[0]), prefix=f"{username}-demo")
        for start in range(0, STATEMENTS, services.MAX_BATCH):
            filed += len(services.file_statements(platform, {"statements": generated[start : start + 100]}))
    return filed

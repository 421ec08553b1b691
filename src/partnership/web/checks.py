"""`partnership check`: misconfiguration reported in words, before it bites at run time."""

from django.conf import settings
from django.core.checks import Error, Warning, register
from django.db import DatabaseError


@register()
def check_settings(app_configs, **kwargs):
    """Settings that cannot work together, or that are unsafe in production."""
    problems = []
    if not settings.ALLOWED_HOSTS:
        problems.append(
            Error(
                "PARTNERSHIP_ALLOWED_HOSTS is empty: the node would refuse every request.",
                id="partnership.E001",
            )
        )
    public = [
        host for host in settings.ALLOWED_HOSTS if host not in ("127.0.0.1", "localhost", "::1", "testserver")
    ]
    if settings.DEBUG and public:
        problems.append(
            Warning(
                f"PARTNERSHIP_DEBUG is on while the node answers to {', '.join(public)}: "
                "debug pages would show internals.",
                hint="Set PARTNERSHIP_DEBUG=false in production.",
                id="partnership.W001",
            )
        )
    return problems


@register(deploy=False)
def check_node_party(app_configs, **kwargs):
    """PARTNERSHIP_NODE_PARTY must name a party of the loaded programme."""
    if not settings.NODE_PARTY:
        return []
    from partnership.people.models import Party

    try:
        codes = set(Party.objects.values_list("code", flat=True))
    except DatabaseError:
        return []  # not migrated yet: `migrate` comes first
    if codes and settings.NODE_PARTY not in codes:
        return [
            Error(
                f"PARTNERSHIP_NODE_PARTY is {settings.NODE_PARTY!r}, which is not a party of the programme "
                f"({', '.join(sorted(codes))}).",
                id="partnership.E002",
            )
        ]
    return []

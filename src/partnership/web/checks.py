"""`partnership check`: misconfiguration reported in words, before it bites at run time."""

import stat
from pathlib import Path

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


@register()
def check_private_files(app_configs, **kwargs):
    """The data directory and the secrets in it are the owner's only (settings.py creates them so and
    tightens them at start; one it could not change, not being its owner, is reported here)."""
    data_dir = Path(settings.DATA_DIR)
    paths = [data_dir, data_dir / "secret-key", data_dir / "demo-password", Path(settings.MEDIA_ROOT)]
    database = settings.DATABASES["default"]
    if database["ENGINE"].endswith("sqlite3"):
        paths.append(Path(database["NAME"]))
    problems = []
    for path in paths:
        try:
            mode = stat.S_IMODE(path.stat().st_mode)
        except (FileNotFoundError, NotADirectoryError):
            continue
        if mode & 0o077:
            private = 0o700 if path.is_dir() else 0o600
            problems.append(
                Warning(
                    f"{path} has mode {mode:04o}: other accounts on this machine can reach what the node "
                    "keeps secret there (members' data, keys, passwords).",
                    hint=f"chmod {private:o} {path} (as its owner).",
                    id="partnership.W002",
                )
            )
    return problems

"""`partnership check`: a peer list that cannot work is reported before the first sync."""

from django.conf import settings
from django.core.checks import Error, register

from .peers import PeerConfigError, configured_peers


@register()
def check_peers(app_configs, **kwargs):
    try:
        peers = configured_peers()
    except PeerConfigError as exc:
        return [Error(str(exc), id="partnership.E101")]
    if peers and not settings.NODE_PARTY:
        return [
            Error(
                "PARTNERSHIP_PEERS is set but PARTNERSHIP_NODE_PARTY is empty: a federated node must say "
                "which party it is, so its peers can verify its log under that name.",
                id="partnership.E102",
            )
        ]
    return []

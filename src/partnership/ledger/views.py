"""The ledger page: this node's log and key, and where sync with each peer stands. Public and read-only;
why a peer's record was not applied is shown only to those who may read that record (it quotes it)."""

from django.shortcuts import render

from . import queries, selfcheck, services
from .models import OWN


def status(request):
    peers, config_error = queries.peer_statuses(request.user)
    return render(
        request,
        "ledger/status.html",
        {
            "size": services.size(OWN),
            "self_check": selfcheck.latest(OWN),
            "checkpoint": services.latest_checkpoint(OWN),
            "verifier_key": services.verifier_key(),
            "peers": peers,
            "config_error": config_error,
        },
    )

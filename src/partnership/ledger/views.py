"""The ledger page: this node's log and key, and where sync with each peer stands. Public and read-only;
why a peer's record was not applied is shown only to those who may read that record (it quotes it)."""

from django.shortcuts import render

from . import queries, selfcheck, services
from .models import OWN, Peer
from .peers import PeerConfigError, configured_peers


def status(request):
    try:
        configured = configured_peers()
        config_error = ""
    except PeerConfigError as exc:
        configured, config_error = {}, str(exc)
    states = {p.party: p for p in Peer.objects.all()}
    peers = []
    for party in sorted(set(configured) | set(states)):
        peers.append(
            {
                "party": party,
                "url": configured[party].url if party in configured else states[party].url,
                "configured": party in configured,
                "state": states.get(party),
                "size": services.size(party),
                "checkpoint": services.latest_checkpoint(party),
                "not_applied": queries.not_applied(party, request.user),
            }
        )
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

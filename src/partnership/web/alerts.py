"""Alerts to the secretariats about the ledger: a peer whose log forked.

The ledger depends on nothing of ours, so it only sends `fork_detected`; this module (web may use every
app) turns it into mail to every secretariat member on this node, and `forked_peers` feeds the banner
that base.html shows to secretariat members until an operator clears the fork.
"""

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import send_mail
from django.utils import translation
from django.utils.translation import gettext as _

from partnership.ledger.models import Peer, render_error
from partnership.people.models import Membership


def secretariat_addresses() -> list[str]:
    users = (
        get_user_model()
        .objects.filter(is_active=True, membership__role=Membership.Role.SECRETARIAT)
        .exclude(email="")
    )
    return sorted(set(users.values_list("email", flat=True)))


def on_fork(sender, party: str, reason: str, evidence: str, **kwargs) -> None:
    recipients = secretariat_addresses()
    if not recipients:
        return
    subjects, bodies = [], []
    for language in ("en", "ja"):
        with translation.override(language):
            subjects.append(
                _("The log of %(party)s forked: sync with its node is stopped") % {"party": party}
            )
            bodies.append(
                _(
                    "The node of %(party)s served a log that contradicts what it signed before. This node "
                    "has stopped pulling from it and keeps what it had verified. Settle this with the other "
                    "secretariat, then resume with `partnership ledger clear-fork %(party)s`."
                )
                % {"party": party}
                + "\n\n"
                + render_error(reason)
            )
    body = "\n\n----\n\n".join(bodies) + "\n\n----\n\n" + evidence
    send_mail(" / ".join(subjects), body, settings.DEFAULT_FROM_EMAIL, recipients)


def forked_peers() -> list[str]:
    return list(Peer.objects.filter(state=Peer.State.FORKED).values_list("party", flat=True))

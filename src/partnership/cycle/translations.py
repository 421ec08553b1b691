"""The cycle's texts that are translated (issue 15): meeting outcomes and stakeholder contributions,
registered with `programme.translations` in `apps.ready` (the programme never imports the cycle)."""

from __future__ import annotations

import uuid
from collections.abc import Iterable

from django.urls import reverse
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

from partnership.programme.translations import Kind, Source, TextField, register

from .models import Contribution, Outcome


def _outcomes(uids: Iterable[uuid.UUID]) -> dict[uuid.UUID, Source]:
    rows = Outcome.objects.select_related("meeting__party").filter(uid__in=list(uids))
    return {
        outcome.uid: Source(
            kind="outcome",
            uid=outcome.uid,
            # The host secretariat records an outcome (and alone translates it); a meeting of no known
            # host (0: no party) is translated by nobody.
            party_id=outcome.meeting.party_id or 0,
            party_code=outcome.meeting.party.code if outcome.meeting.party else "",
            language=outcome.language,
            fields={"text": outcome.text},
            revision=1,
            author_user_id=None,
            author_organisation_id=None,
            label=" · ".join(
                [
                    date_format(outcome.meeting.date),
                    outcome.meeting.title[:60],
                    str(outcome.get_kind_display()),
                ]
            ),
            url=reverse("meeting", args=[outcome.meeting.uid]),
        )
        for outcome in rows
    }


def _contributions(uids: Iterable[uuid.UUID]) -> dict[uuid.UUID, Source]:
    rows = Contribution.objects.select_related("organisation__party", "window__cycle").filter(
        uid__in=list(uids)
    )
    return {
        contribution.uid: Source(
            kind="contribution",
            uid=contribution.uid,
            party_id=contribution.organisation.party_id or 0,
            party_code=contribution.organisation.party.code if contribution.organisation.party else "",
            language=contribution.language,
            fields={"text": contribution.text},
            revision=1,
            author_user_id=contribution.author_id,
            author_organisation_id=None,
            label=f"{contribution.organisation.code} · {contribution.window.cycle.year}",
            url=reverse("consultation", args=[contribution.window.cycle.year]),
        )
        for contribution in rows
    }


OUTCOME = Kind(
    name="outcome",
    label=_("outcome"),
    fields=(TextField("text", _("Text"), 20000),),
    load=_outcomes,
    fields_of=lambda outcome: {"text": outcome.text},
    who=lambda outcome: (outcome.meeting.party_id or 0, None, None),
)
CONTRIBUTION = Kind(
    name="contribution",
    label=_("contribution"),
    fields=(TextField("text", _("Contribution"), 20000),),
    load=_contributions,
    fields_of=lambda contribution: {"text": contribution.text},
    who=lambda contribution: (contribution.organisation.party_id or 0, contribution.author_id, None),
)


def register_kinds() -> None:
    """Make outcomes and contributions translatable."""
    register(OUTCOME)
    register(CONTRIBUTION)

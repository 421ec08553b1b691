"""Every write of trend notes: filing a note and revising it. Each takes the acting user, checks the
rules of `people.permissions`, validates, signs the note's record into the ledger and commits both at
once (para 65: sharing information on trends in online environments)."""

import uuid
from typing import Any

from django.contrib.auth.models import AnonymousUser, User
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from partnership.errors import Invalid, NotFound, PermissionDenied
from partnership.inputs import check_text
from partnership.people.permissions import (
    can_comment,
    require_actor,
    require_follow_up,
    require_local_record,
    require_node_party,
)

from . import records
from .models import Language, TrendNote

TITLE_MAX = 200
TEXT_MAX = 4000


def _clean(data: dict[str, Any]) -> dict[str, str]:
    """The note's title, text and language, or `Invalid` naming every wrong field."""
    fields: dict[str, str] = {}
    cleaned: dict[str, str] = {}
    for name, limit in (("title", TITLE_MAX), ("text", TEXT_MAX)):
        value = data.get(name)
        if not isinstance(value, str) or not value.strip():
            fields[name] = _("This field is required.")
        elif len(value) > limit:
            fields[name] = _("At most %(limit)s characters.") % {"limit": limit}
        else:
            cleaned[name] = check_text(value.strip(), name)
    language = data.get("language")
    if language not in Language.values:
        fields["language"] = _("Choose en or ja.")
    else:
        cleaned["language"] = language
    if fields:
        name, message = next(iter(fields.items()))
        raise Invalid(f"{name}: {message}", fields)
    return cleaned


@transaction.atomic
def file_note(user: User | AnonymousUser | None, data: dict[str, Any]) -> TrendNote:
    """A new note by the user's organisation, for the user's party, signed into the ledger.

    Every member of a party may share what it observes (the rule of comments, `can_comment`), on the node
    of its own party (`require_node_party`).
    """
    actor = require_node_party(require_actor(user))
    if not can_comment(actor):
        raise PermissionDenied(_("Only a member of a party may share a trend note."))
    cleaned = _clean(data)
    now = timezone.now()
    note = TrendNote.objects.create(
        party=actor.party, organisation=actor.organisation, created_at=now, changed_at=now, **cleaned
    )
    note.ledger_entry = records.share(note)
    note.save(update_fields=["ledger_entry"])
    return note


@transaction.atomic
def revise_note(user: User | AnonymousUser | None, uid: Any, data: dict[str, Any]) -> TrendNote:
    """A new revision of a note: by its organisation's members or its party's secretariat (the rule of
    follow-up, `can_follow_up`), only on the node that signed it."""
    actor = require_actor(user)
    try:
        key = uuid.UUID(str(uid))
    except ValueError:
        raise NotFound(_("There is no such trend note.")) from None
    # Locks the note alone: PostgreSQL refuses FOR UPDATE on the nullable side of the ledger join.
    note = (
        TrendNote.objects.select_for_update(of=("self",))
        .select_related("ledger_entry")
        .filter(uid=key)
        .first()
    )
    if note is None:
        raise NotFound(_("There is no such trend note."))
    require_local_record(note.signed_by)
    require_follow_up(actor, note.organisation_id, note.party_id)
    for name, value in _clean(data).items():
        setattr(note, name, value)
    note.revision += 1
    note.changed_at = timezone.now()
    note.ledger_entry = records.share(note)
    note.save()
    return note

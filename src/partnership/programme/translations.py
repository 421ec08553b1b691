"""What can be translated, and the translations a page or the report shows (issue 15, item 3).

A kind of translatable text (`update`, `deliverable` here; `outcome`, `contribution` registered by the
cycle in its `apps.ready`, so that the programme never imports the cycle) says how to find an item by
its uid and what its source text is (`Source`). The service (`services.translate`), the record's applier
(`records.apply_translation`), the form page and the queue all go through `source_of`, so the rules
about an item (its party, its author, its language, its text) are read in one place.

A translation is current while the digest of its item's source text is the one it was made from
(`source_digest`); otherwise it is stale: kept, listed in the queue again, not shown as a translation.
"""

from __future__ import annotations

import hashlib
import json
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from django.urls import reverse
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from .models import Deliverable, Language, ProgressUpdate, Translation


@dataclass(frozen=True)
class TextField:
    """One part of an item's text that is translated: its name, label and the longest it may be."""

    name: str
    label: Promise | str
    max_length: int
    required: bool = True


@dataclass(frozen=True)
class Source:
    """An item as the rules of translation see it."""

    kind: str
    uid: uuid.UUID
    party_id: int
    party_code: str
    language: str
    fields: dict[str, str]
    revision: int
    #: The user who wrote it (None when unknown here, e.g. signed by a peer node) and the organisation
    #: whose members count as its author (a deliverable's owner; None for an outcome: its secretariat's).
    author_user_id: int | None
    author_organisation_id: int | None
    label: str
    url: str

    @property
    def digest(self) -> str:
        return source_digest(self.fields, self.language)

    @property
    def target_language(self) -> str:
        """The other language: the one a translation of this item is into."""
        return Language.JA if self.language == Language.EN else Language.EN


@dataclass(frozen=True)
class Kind:
    """A kind of item that may be translated."""

    name: str
    label: Promise | str
    fields: tuple[TextField, ...]
    load: Callable[[Iterable[uuid.UUID]], dict[uuid.UUID, Source]]
    #: The translated fields of a loaded object, and who may translate it: (party id, author user id,
    #: author organisation id), as `Source` has them, for a page's list of objects.
    fields_of: Callable[[Any], dict[str, str]]
    who: Callable[[Any], tuple[int, int | None, int | None]]


_kinds: dict[str, Kind] = {}


def register(kind: Kind) -> None:
    """Make a kind of item translatable (the programme's own at import, the cycle's in `apps.ready`)."""
    _kinds[kind.name] = kind


def kinds() -> dict[str, Kind]:
    """The registered kinds by name."""
    return dict(_kinds)


def kind_of(name: str) -> Kind | None:
    return _kinds.get(name)


def source_digest(fields: dict[str, str], language: str) -> str:
    """The SHA-256 of an item's source text: its translated fields and their language, as canonical JSON
    (a change of either makes its translations stale)."""
    text = json.dumps(
        {"fields": fields, "language": language}, sort_keys=True, ensure_ascii=False, separators=(",", ":")
    )
    return hashlib.sha256(text.encode()).hexdigest()


def source_of(kind: str, uid: uuid.UUID) -> Source | None:
    """The item of `kind` with `uid`, or None when there is no such kind or item."""
    found = _kinds.get(kind)
    if found is None:
        return None
    return found.load([uid]).get(uid)


def info(translation: Translation, stale: bool = False) -> dict[str, Any]:
    """A translation as plain data, as pages and the report show it ("Translated by <organisation>")."""
    organisation = translation.organisation
    return {
        "text": translation.text,
        "description": translation.description,
        "language": translation.language,
        "human": translation.human,
        "organisation": {
            "code": organisation.code,
            "name_en": organisation.name_en,
            "name_ja": organisation.name_ja,
        },
        "translated_at": translation.translated_at.isoformat(),
        "source_revision": translation.source_revision,
        "stale": stale,
    }


def current(
    items: Iterable[tuple[str, uuid.UUID, str]], language: str | None = None
) -> dict[tuple[str, uuid.UUID], dict[str, dict[str, Any]]]:
    """{(kind, uid): {language: translation info}} of the current (not stale) translations of `items`,
    each given as (kind, uid, digest of its source text now), into `language` only when given: one
    query whatever their number."""
    digests = {(kind, uid): digest for kind, uid, digest in items}
    if not digests:
        return {}
    found: dict[tuple[str, uuid.UUID], dict[str, dict[str, Any]]] = {}
    rows = Translation.objects.select_related("organisation").filter(
        item_uid__in={uid for _kind, uid in digests}, kind__in={kind for kind, _uid in digests}
    )
    if language is not None:
        rows = rows.filter(language=language)
    for translation in rows:
        key = (translation.kind, translation.item_uid)
        if digests.get(key) == translation.source_sha256:
            found.setdefault(key, {})[translation.language] = info(translation)
    return found


def attach(groups: dict[str, Iterable[Any]], actor: Any = None) -> None:
    """Set `translations` ({language: info}: the current translation into the reader's language, if
    any) on each object of `groups` ({kind: objects}: updates, deliverables, outcomes or contributions
    loaded for a page), for `{% authored %}`; and `may_translate`, whether `actor` may add or replace
    its translation (the page links the form). One query for all, and none when every text is already
    in the reader's language (the pages keep their query budgets)."""
    from django.utils.translation import get_language

    from partnership.people.permissions import can_translate

    reader = (get_language() or "en")[:2]
    lists = {kind: list(objects) for kind, objects in groups.items()}
    found = current(
        (
            (kind, obj.uid, source_digest(_kinds[kind].fields_of(obj), obj.language))
            for kind, objects in lists.items()
            for obj in objects
            if obj.language != reader
        ),
        language=reader,
    )
    for kind, objects in lists.items():
        for obj in objects:
            obj.translations = found.get((kind, obj.uid), {})
            obj.may_translate = can_translate(actor, *_kinds[kind].who(obj))


def update_fields(update: ProgressUpdate) -> dict[str, str]:
    return {"text": update.narrative}


def deliverable_fields(deliverable: Deliverable) -> dict[str, str]:
    return {"text": deliverable.title, "description": deliverable.description}


def languages_held(items: Iterable[tuple[str, uuid.UUID]]) -> dict[tuple[str, uuid.UUID], set[str]]:
    """{(kind, uid): languages} of every translation held for `items`, current or stale (one query)."""
    items = list(items)
    if not items:
        return {}
    found: dict[tuple[str, uuid.UUID], set[str]] = {}
    rows = Translation.objects.filter(
        item_uid__in={uid for _kind, uid in items}, kind__in={kind for kind, _uid in items}
    ).values_list("kind", "item_uid", "language")
    for kind, uid, language in rows:
        found.setdefault((kind, uid), set()).add(language)
    return found


def held(kind: str, uids: Iterable[uuid.UUID]) -> dict[uuid.UUID, dict[str, Translation]]:
    """{uid: {language: translation}} of the items, current or stale (one query)."""
    result: dict[uuid.UUID, dict[str, Translation]] = {}
    for translation in Translation.objects.select_related("organisation").filter(
        kind=kind, item_uid__in=list(uids)
    ):
        result.setdefault(translation.item_uid, {})[translation.language] = translation
    return result


# --- the programme's kinds ---------------------------------------------------------------------------


def _updates(uids: Iterable[uuid.UUID]) -> dict[uuid.UUID, Source]:
    rows = ProgressUpdate.objects.select_related("action", "party").filter(uid__in=list(uids))
    return {
        update.uid: Source(
            kind="update",
            uid=update.uid,
            party_id=update.party_id,
            party_code=update.party.code,
            language=update.language,
            fields=update_fields(update),
            # An update never changes (a correction is a new version, with its own translation).
            revision=update.version,
            author_user_id=update.author_id,
            author_organisation_id=None,
            label=f"{update.action.paragraph} · {update.party.code} · {update.period} v{update.version}",
            url=reverse("action", args=[update.action.paragraph]),
        )
        for update in rows
    }


def _deliverables(uids: Iterable[uuid.UUID]) -> dict[uuid.UUID, Source]:
    rows = Deliverable.objects.select_related("action", "party").filter(uid__in=list(uids))
    return {
        deliverable.uid: Source(
            kind="deliverable",
            uid=deliverable.uid,
            party_id=deliverable.party_id,
            party_code=deliverable.party.code,
            language=deliverable.language,
            fields=deliverable_fields(deliverable),
            revision=deliverable.revision,
            author_user_id=None,
            # A deliverable has no author of record: its owner organisation's members are its authors.
            author_organisation_id=deliverable.organisation_id,
            label=f"{deliverable.action.paragraph} · {deliverable.party.code} · {deliverable.title[:80]}",
            url=reverse("action", args=[deliverable.action.paragraph]),
        )
        for deliverable in rows
    }


register(
    Kind(
        name="update",
        label=_("progress update"),
        fields=(TextField("text", _("Narrative"), 10000),),
        load=_updates,
        fields_of=update_fields,
        who=lambda update: (update.party_id, update.author_id, None),
    )
)
register(
    Kind(
        name="deliverable",
        label=_("deliverable"),
        fields=(
            TextField("text", _("Title"), 300),
            TextField("description", _("Description"), 10000, required=False),
        ),
        load=_deliverables,
        fields_of=deliverable_fields,
        who=lambda deliverable: (deliverable.party_id, None, deliverable.organisation_id),
    )
)

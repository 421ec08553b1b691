"""What the programme shares with the other party through the ledger, and how a peer's records apply here.

Every progress record a party authors is signed by its node and appended to the node's log
(`ledger.services.append`) in the transaction that writes it; the object keeps the entry of its latest
record in `ledger_entry`. Record types and the members of their `content` (all JSON; decimals as
strings, dates as ISO 8601 strings, the action as its Annex paragraph number):

- `programme.progress_update` (one per update filed; updates never change):
  `uid`, `action`, `period`, `version`, `status`, `narrative`, `language`, `organisation`.
- `programme.deliverable` (its full state at each creation and each change):
  `uid`, `action`, `organisation` (owner), `title`, `description`, `language`, `due_date`,
  `due_period`, `status`, `evidence`, `revision`.
- `programme.indicator` (full state at each creation and change):
  `uid`, `action`, `organisation` (owner), `title`, `language`, `unit`, `ascending`, `baseline_value`,
  `baseline_year`, `target_value`, `target_date`, `revision`.
- `programme.indicator_value` (each recording, also a correction of a period's value):
  `uid`, `indicator` (its uid), `period_start`, `period_end`, `value`, `source`.
- `programme.translation` (a person's translation of an update, deliverable, outcome or contribution,
  at each adding or replacing; issue 15): `uid`, `kind` (`update`, `deliverable`, `outcome`,
  `contribution`), `item` (the item's uid), `language` (the translation's), `text`, `description` (a
  deliverable's description, else ""), `human` (false when the translator worked from a machine
  translation and reviewed it), `source_language`, `source_revision` and `source_sha256` (the source
  text it was made from, `translations.source_digest`), `revision`. Signed as the translator's party
  and organisation, which must be the item's party: the applier refuses a translation of another
  party's text.

The record's `party` and `organisation` are the author's (the user's party and organisation); its `time`
is the object's time (filed, changed, recorded).

The appliers (registered in `apps.ProgrammeConfig.ready`) turn a peer's verified record into this node's
read-only copy: validated as the forms validate a user's input, the organisations required to be of
the record's party, no local author. They are idempotent: an update or value already applied, or a
deliverable or indicator revision not newer than the one held, changes nothing.
"""

from __future__ import annotations

import datetime
import uuid
from collections.abc import Callable
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.db import transaction
from django.utils.translation import gettext_noop

from partnership.ledger import services as ledger_services
from partnership.ledger.records import SignedRecord, format_time
from partnership.ledger.registry import RecordRejected, memo
from partnership.peer_records import (
    author_party,
    content_of,
    held_by_peer,
    integer_of,
    newer_entry,
    party_organisation,
    record_time,
    uid_of,
    valid,
)

from . import translations
from .forms import DeliverableForm, IndicatorForm, IndicatorValueForm
from .models import (
    Deliverable,
    Indicator,
    IndicatorValue,
    JointAction,
    Language,
    ProgressUpdate,
    Translation,
)

if TYPE_CHECKING:
    from partnership.ledger.models import LogEntry

PROGRESS_UPDATE = "programme.progress_update"
DELIVERABLE = "programme.deliverable"
INDICATOR = "programme.indicator"
INDICATOR_VALUE = "programme.indicator_value"
TRANSLATION = "programme.translation"

UPDATE_MEMBERS = ("uid", "action", "period", "version", "status", "narrative", "language", "organisation")
DELIVERABLE_MEMBERS = (
    "uid",
    "action",
    "organisation",
    "title",
    "description",
    "language",
    "due_date",
    "due_period",
    "status",
    "evidence",
    "revision",
)
INDICATOR_MEMBERS = (
    "uid",
    "action",
    "organisation",
    "title",
    "language",
    "unit",
    "ascending",
    "baseline_value",
    "baseline_year",
    "target_value",
    "target_date",
    "revision",
)
VALUE_MEMBERS = ("uid", "indicator", "period_start", "period_end", "value", "source")
TRANSLATION_MEMBERS = (
    "uid",
    "kind",
    "item",
    "language",
    "text",
    "description",
    "human",
    "source_language",
    "source_revision",
    "source_sha256",
    "revision",
)


# --- authoring --------------------------------------------------------------------------------------


def sign(record_type: str, party: str, organisation: str, when: datetime.datetime, content: Any) -> LogEntry:
    """Sign a record with the node key and append it to this node's log (call inside the write's
    transaction, so the object and its entry commit together or not at all)."""
    return ledger_services.append(SignedRecord(record_type, party, organisation, format_time(when), content))


def decimal_text(value: Decimal) -> str:
    """A decimal as a plain string (JCS has no exact decimals): 12.5000 -> "12.5", 100 -> "100"."""
    text = format(value.normalize(), "f")
    return "0" if text in ("-0", "") else text


def _date(value: datetime.date | None) -> str | None:
    return value.isoformat() if value is not None else None


def update_content(update: ProgressUpdate) -> dict[str, Any]:
    """The content of a `programme.progress_update` record."""
    return {
        "uid": str(update.uid),
        "action": update.action.paragraph,
        "period": update.period,
        "version": update.version,
        "status": update.status,
        "narrative": update.narrative,
        "language": update.language,
        "organisation": update.organisation.code,
    }


def deliverable_content(deliverable: Deliverable) -> dict[str, Any]:
    """The content of a `programme.deliverable` record: the deliverable's full current state."""
    return {
        "uid": str(deliverable.uid),
        "action": deliverable.action.paragraph,
        "organisation": deliverable.organisation.code,
        "title": deliverable.title,
        "description": deliverable.description,
        "language": deliverable.language,
        "due_date": _date(deliverable.due_date),
        "due_period": deliverable.due_period,
        "status": deliverable.status,
        "evidence": list(deliverable.evidence),
        "revision": deliverable.revision,
    }


def indicator_content(indicator: Indicator) -> dict[str, Any]:
    """The content of a `programme.indicator` record: the indicator's full current definition."""
    return {
        "uid": str(indicator.uid),
        "action": indicator.action.paragraph,
        "organisation": indicator.organisation.code,
        "title": indicator.title,
        "language": indicator.language,
        "unit": indicator.unit,
        "ascending": indicator.ascending,
        "baseline_value": decimal_text(Decimal(indicator.baseline_value)),
        "baseline_year": indicator.baseline_year,
        "target_value": decimal_text(Decimal(indicator.target_value)),
        "target_date": _date(indicator.target_date),
        "revision": indicator.revision,
    }


def value_content(value: IndicatorValue) -> dict[str, Any]:
    """The content of a `programme.indicator_value` record."""
    return {
        "uid": str(value.uid),
        "indicator": str(value.indicator.uid),
        "period_start": _date(value.period_start),
        "period_end": _date(value.period_end),
        "value": decimal_text(Decimal(value.value)),
        "source": value.source,
    }


def translation_content(translation: Translation) -> dict[str, Any]:
    """The content of a `programme.translation` record."""
    return {
        "uid": str(translation.uid),
        "kind": translation.kind,
        "item": str(translation.item_uid),
        "language": translation.language,
        "text": translation.text,
        "description": translation.description,
        "human": translation.human,
        "source_language": translation.source_language,
        "source_revision": translation.source_revision,
        "source_sha256": translation.source_sha256,
        "revision": translation.revision,
    }


# --- applying a peer's records (the generic checks are partnership.peer_records) ------------------


def action_of(content: dict[str, Any], member: str = "action") -> JointAction:
    """The joint action at the paragraph `content[member]`, refused when this node has none."""
    paragraph = content.get(member)
    action = (
        memo(("action", paragraph), lambda: JointAction.objects.filter(paragraph=paragraph).first())
        if isinstance(paragraph, int) and not isinstance(paragraph, bool)
        else None
    )
    if action is None:
        raise RecordRejected(f"there is no joint action at paragraph {paragraph!r} on this node")
    return action


def _strings(content: dict[str, Any], names: tuple[str, ...]) -> dict[str, Any]:
    for name in names:
        if not isinstance(content.get(name), str):
            raise RecordRejected(f"{name} {content.get(name)!r} is not a string")
    return {name: content[name] for name in names}


# --- the appliers -----------------------------------------------------------------------------------


def apply_progress_update(record: SignedRecord, entry: LogEntry) -> None:
    """A peer party's progress update, added as filed there (updates are append-only)."""
    rejected = apply_progress_updates([(record, entry)])
    if rejected:
        raise RecordRejected(rejected[entry.index])


def apply_progress_updates(items: list[tuple[SignedRecord, LogEntry]]) -> dict[int, str]:
    """Peer updates in log order, as `apply_progress_update` one by one would, in a few queries:
    {entry index: reason} for those refused. An update already held is left as it is."""
    rejected: dict[int, str] = {}
    candidates: list[tuple[LogEntry, ProgressUpdate]] = []
    for record, entry in items:
        try:
            candidates.append((entry, _peer_update(record, entry)))
        except RecordRejected as exc:
            rejected[entry.index] = str(exc)
    held = {
        update.uid: update
        for update in ProgressUpdate.objects.select_related("ledger_entry").filter(
            uid__in=[update.uid for _entry, update in candidates]
        )
    }
    taken = set(
        ProgressUpdate.objects.filter(
            party_id__in={update.party_id for _entry, update in candidates},
            action_id__in={update.action_id for _entry, update in candidates},
        ).values_list("action_id", "party_id", "period", "version")
    )
    new: dict[uuid.UUID, ProgressUpdate] = {}
    for entry, update in candidates:
        if update.uid in held:
            try:
                held_by_peer(held[update.uid], entry, gettext_noop("progress update"))
            except RecordRejected as exc:
                rejected[entry.index] = str(exc)
            continue  # already applied: an update never changes
        if update.uid in new:
            continue  # the same record again in this run
        key = (update.action_id, update.party_id, update.period, update.version)
        if key in taken:
            rejected[entry.index] = (
                f"{update.party.code} already has version {update.version} of its {update.period} update "
                f"on paragraph {update.action.paragraph}"
            )
            continue
        taken.add(key)
        new[update.uid] = update
    ProgressUpdate.objects.bulk_create(new.values(), batch_size=500)
    return rejected


def _peer_update(record: SignedRecord, entry: LogEntry) -> ProgressUpdate:
    """The update a peer's record describes, checked, not saved."""
    content = content_of(record, UPDATE_MEMBERS)
    uid = uid_of(content)
    party = author_party(record)
    return ProgressUpdate(
        uid=uid,
        action=action_of(content),
        party=party,
        period=integer_of(content, "period", 2022, 2100),
        version=integer_of(content, "version", 1),
        author=None,
        organisation=party_organisation(party, content["organisation"]),
        ledger_entry=entry,
        created_at=record_time(record),
        **update_fields(content),
    )


def update_fields(content: dict[str, Any]) -> dict[str, str]:
    """The status, narrative and language of an update record, checked by the rules of `UpdateForm`.

    Checked here directly rather than through the form: building and cleaning a form costs more than
    the rest of applying an update, and a sync applies thousands of them (bench/ledger.py times a sync
    of 10,000). tests/programme/test_records.py holds both to the same answers.
    """
    values = _strings(content, ("status", "narrative", "language"))
    narrative = values["narrative"].strip()
    if values["status"] not in ProgressUpdate.Status.values:
        raise RecordRejected(f"progress update: status {values['status']!r} is not one of the statuses")
    if values["language"] not in Language.values:
        raise RecordRejected(f"progress update: language {values['language']!r} is not English or Japanese")
    if not narrative or len(narrative) > 10000:
        raise RecordRejected("progress update: the narrative must hold 1 to 10,000 characters")
    return {"status": values["status"], "narrative": narrative, "language": values["language"]}


def apply_deliverable(record: SignedRecord, entry: LogEntry) -> None:
    """A peer party's deliverable, created or brought to the record's revision (a newer one wins)."""
    _apply_state(record, entry, Deliverable, DELIVERABLE_MEMBERS, DeliverableForm, _deliverable_data)


def apply_indicator(record: SignedRecord, entry: LogEntry) -> None:
    """A peer party's indicator, created or brought to the record's revision (a newer one wins)."""
    _apply_state(record, entry, Indicator, INDICATOR_MEMBERS, IndicatorForm, _indicator_data)


def _deliverable_data(content: dict[str, Any]) -> dict[str, Any]:
    if not isinstance(content["evidence"], list):
        raise RecordRejected(f"evidence {content['evidence']!r} is not a list of links")
    data = {
        **_strings(content, ("title", "description", "language", "status")),
        "due_date": content["due_date"] or "",
        "due_period": "" if content["due_period"] is None else content["due_period"],
        "evidence": content["evidence"],
    }
    if not data["status"]:
        raise RecordRejected("status: a deliverable's status cannot be empty")
    return data


def _indicator_data(content: dict[str, Any]) -> dict[str, Any]:
    if not isinstance(content["ascending"], bool):
        raise RecordRejected(f"ascending {content['ascending']!r} is not true or false")
    return {
        **_strings(content, ("title", "language", "unit", "baseline_value", "target_value", "target_date")),
        "ascending": content["ascending"],
        "baseline_year": integer_of(content, "baseline_year", 0),
    }


def _apply_state(
    record: SignedRecord,
    entry: LogEntry,
    model: type[Deliverable] | type[Indicator],
    members: tuple[str, ...],
    form_class: type[DeliverableForm] | type[IndicatorForm],
    data_of: Callable[[dict[str, Any]], dict[str, Any]],
) -> None:
    """Apply a record of an object's full state with a revision: created, or brought to a newer
    revision; an older or equal one changes nothing. Checked as the object's form checks a user's input."""
    what = model._meta.model_name or "record"
    content = content_of(record, members)
    uid = uid_of(content)
    revision = integer_of(content, "revision", 1)
    existing = model.objects.select_related("ledger_entry").filter(uid=uid).first()
    if existing is not None:
        held_by_peer(existing, entry, what)
        if existing.revision >= revision:
            return  # already applied, or older than what is held
    party = author_party(record)
    organisation = party_organisation(party, content["organisation"])
    action = action_of(content)
    if existing is not None and existing.action_id != action.pk:
        raise RecordRejected(f"{what} {uid} belongs to paragraph {existing.action.paragraph}")
    cleaned = valid(form_class, data_of(content), what)
    values = {name: cleaned[name] for name in form_class.base_fields}
    when = record_time(record)
    with transaction.atomic():
        if existing is None:
            created = model.objects.create(
                uid=uid,
                action=action,
                party=party,
                organisation=organisation,
                revision=revision,
                ledger_entry=entry,
                **values,
            )
            model.objects.filter(pk=created.pk).update(created_at=when, updated_at=when)
        else:
            model.objects.filter(pk=existing.pk).update(
                organisation=organisation, revision=revision, ledger_entry=entry, updated_at=when, **values
            )


def apply_indicator_value(record: SignedRecord, entry: LogEntry) -> None:
    """A value a peer party recorded on one of its indicators (a later recording replaces it)."""
    content = content_of(record, VALUE_MEMBERS)
    uid = uid_of(content)
    party = author_party(record)
    indicator_uid = uid_of(content, "indicator")
    indicator = Indicator.objects.select_related("ledger_entry").filter(uid=indicator_uid).first()
    if indicator is None:
        raise RecordRejected(f"indicator {indicator_uid} is not on this node")
    if indicator.signed_by != entry.log or indicator.party_id != party.pk:
        raise RecordRejected(f"indicator {indicator_uid} is not an indicator of {party.code}")
    cleaned = valid(
        IndicatorValueForm,
        _strings(content, ("period_start", "period_end", "value", "source")),
        "indicator value",
    )
    existing = IndicatorValue.objects.select_related("ledger_entry").filter(uid=uid).first()
    if existing is not None:
        held_by_peer(existing, entry, gettext_noop("indicator value"))
        if not newer_entry(existing, entry):
            return
        if existing.indicator_id != indicator.pk:
            raise RecordRejected(f"indicator value {uid} belongs to another indicator")
    elif IndicatorValue.objects.filter(
        indicator=indicator, period_start=cleaned["period_start"], period_end=cleaned["period_end"]
    ).exists():
        raise RecordRejected(
            f"indicator {indicator_uid} already has another value for "
            f"{cleaned['period_start']} to {cleaned['period_end']}"
        )
    with transaction.atomic():
        if existing is None:
            existing = IndicatorValue.objects.create(
                uid=uid, indicator=indicator, recorded_by=None, ledger_entry=entry, **cleaned
            )
        else:
            IndicatorValue.objects.filter(pk=existing.pk).update(
                recorded_by=None, ledger_entry=entry, **cleaned
            )
        IndicatorValue.objects.filter(pk=existing.pk).update(recorded_at=record_time(record))


def apply_translation(record: SignedRecord, entry: LogEntry) -> None:
    """A peer party's translation of one of its own party's texts, added or brought to a newer revision.

    Refused when the item is not on this node, when the signing party is not the item's (a party
    translates only its own text), and when the text breaks the rules the service applies to a person's
    input (language, length, NUL)."""
    content = content_of(record, TRANSLATION_MEMBERS)
    uid = uid_of(content)
    item = uid_of(content, "item")
    party = author_party(record)
    organisation = party_organisation(party, record.organisation, "the translator's organisation")
    kind = translations.kind_of(content["kind"]) if isinstance(content["kind"], str) else None
    if kind is None:
        raise RecordRejected(f"kind {content['kind']!r} is not a kind of text that is translated")
    source = translations.source_of(kind.name, item)
    if source is None:
        raise RecordRejected(f"{kind.name} {item} is not on this node")
    if source.party_id != party.pk:
        raise RecordRejected(
            f"{party.code} may not translate {kind.name} {item}: it is {source.party_code}'s text"
        )
    values = _strings(content, ("language", "text", "description", "source_language", "source_sha256"))
    if values["language"] not in Language.values or values["source_language"] not in Language.values:
        raise RecordRejected("translation: language and source_language must be en or ja")
    if values["language"] == values["source_language"]:
        raise RecordRejected(
            f"translation: the translation is in its source's language {values['language']!r}"
        )
    if not isinstance(content["human"], bool):
        raise RecordRejected(f"human {content['human']!r} is not true or false")
    if len(values["source_sha256"]) != 64 or any(
        c not in "0123456789abcdef" for c in values["source_sha256"]
    ):
        raise RecordRejected(f"source_sha256 {values['source_sha256']!r} is not a SHA-256 in hexadecimal")
    texts = {}
    for text_field in kind.fields:
        text = values[text_field.name].strip()
        if "\x00" in text:
            raise RecordRejected(f"translation: {text_field.name} holds the NUL character")
        if len(text) > text_field.max_length or (text_field.required and not text):
            raise RecordRejected(
                f"translation: {text_field.name} must hold {int(text_field.required)} to "
                f"{text_field.max_length:,} characters"
            )
        texts[text_field.name] = text
    fields = {
        "uid": uid,
        "text": texts["text"],
        "description": texts.get("description", ""),
        "human": content["human"],
        "source_language": values["source_language"],
        "source_revision": integer_of(content, "source_revision", 0),
        "source_sha256": values["source_sha256"],
        "revision": integer_of(content, "revision", 1),
        "party": party,
        "organisation": organisation,
        "translator": None,
        "translated_at": record_time(record),
        "ledger_entry": entry,
    }
    existing = (
        Translation.objects.select_related("ledger_entry")
        .filter(kind=kind.name, item_uid=item, language=values["language"])
        .first()
    )
    if existing is None:
        if Translation.objects.filter(uid=uid).exists():
            raise RecordRejected(f"translation {uid} already translates another text")
        Translation.objects.create(kind=kind.name, item_uid=item, language=values["language"], **fields)
        return
    held_by_peer(existing, entry, "translation")
    if existing.uid == uid and existing.revision >= fields["revision"]:
        return  # already applied, or older than what is held
    if existing.uid != uid and not newer_entry(existing, entry):
        return
    Translation.objects.filter(pk=existing.pk).update(**fields)


# Applied from a peer in runs of one type, as a sync page brings them.
BATCH_APPLIERS = {PROGRESS_UPDATE: apply_progress_updates}
APPLIERS = {
    PROGRESS_UPDATE: apply_progress_update,
    DELIVERABLE: apply_deliverable,
    INDICATOR: apply_indicator,
    INDICATOR_VALUE: apply_indicator_value,
    TRANSLATION: apply_translation,
}

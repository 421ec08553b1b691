"""The programme's rules: filing updates, changing deliverables and indicators, commenting.

Every write takes the acting user, derives the party and organisation from them (never from input),
checks permissions in `people.permissions`, validates through the forms, and is atomic. Every write of
a shared record (update, deliverable, indicator, value) is signed and appended to the node's ledger in
the same transaction (`records`); a record signed by a peer node is read-only here.
"""

import datetime
from collections.abc import Mapping, Set
from typing import Any
from uuid import UUID

from django import forms
from django.db import IntegrityError, transaction
from django.db.models import F, Max
from django.utils import timezone
from django.utils.translation import gettext as _

from partnership.errors import (
    Conflict,
    Invalid,
    NotFound,
    PermissionDenied,
    PreconditionFailed,
    PreconditionRequired,
)
from partnership.inputs import check_text
from partnership.people.models import Organisation
from partnership.people.permissions import (
    Actor,
    actor_for,
    require_actor,
    require_edit_progress,
    require_local_record,
    require_translate,
)

from . import records, reporting_calendar, translations
from .forms import (
    CommentForm,
    DeliverableForm,
    IndicatorForm,
    IndicatorValueForm,
    TranslationForm,
    UpdateForm,
)
from .models import (
    Comment,
    Deliverable,
    Indicator,
    IndicatorValue,
    JointAction,
    Language,
    ProgressUpdate,
    Translation,
    current_period,
)


def _validated(form: forms.BaseForm) -> dict[str, Any]:
    """The form's cleaned data, or Invalid naming every wrong field."""
    if not form.is_valid():
        fields = {name: " ".join(str(message) for message in errors) for name, errors in form.errors.items()}
        first = next(iter(fields))
        raise Invalid(f"{first}: {fields[first]}", fields)
    return form.cleaned_data


def _unknown_fields(
    data: Mapping[str, Any], form_class: type[forms.ModelForm], extra: Set[str] = frozenset()
) -> None:
    unknown = set(data) - set(form_class.base_fields) - set(extra)
    if unknown:
        fields = {name: _("unknown field") for name in sorted(unknown)}
        raise Invalid(_("Unknown field: %(fields)s") % {"fields": ", ".join(sorted(unknown))}, fields)


def _without_party_claim(user, data: Mapping[str, Any]) -> dict[str, Any]:
    """`data` less a `party` field, which may only name the author's own party (403 otherwise).

    The party of a write always comes from the author; a client that names a party is told plainly
    when it names the other one, instead of being ignored.
    """
    data = dict(data)
    claimed = data.pop("party", None)
    if claimed:
        actor = require_actor(user)
        if claimed != actor.party.code:
            raise PermissionDenied(_("You can only write for your own party."))
    return data


def as_uuid(value: UUID | str) -> UUID | None:
    """`value` as a UUID, or None when it is not one."""
    try:
        return value if isinstance(value, UUID) else UUID(str(value))
    except ValueError:
        return None


def get_action(paragraph: int) -> JointAction:
    """The joint action of Annex paragraph `paragraph`."""
    action = JointAction.objects.filter(paragraph=paragraph).first()
    if action is None:
        raise NotFound(_("There is no joint action at paragraph %(paragraph)s.") % {"paragraph": paragraph})
    return action


def lead_organisation_ids(action: JointAction) -> set[int]:
    """Organisations leading `action` (one query)."""
    return set(action.leads.values_list("pk", flat=True))


def _require_edit(user, action: JointAction, party_id: int | None = None) -> Actor:
    # require_edit_progress also holds a federated node to its own party's records (NODE_PARTY).
    actor = require_actor(user)
    return require_edit_progress(
        actor, actor.party.pk if party_id is None else party_id, lead_organisation_ids(action)
    )


def require_can_change(user, record: Deliverable | Indicator) -> Actor:
    """The actor, if `user` may change `record` (or record an indicator's values); PermissionDenied
    otherwise. A record signed by a peer node is never changed here (`require_local_record`)."""
    actor = _require_edit(user, record.action, party_id=record.party_id)
    require_local_record(record.signed_by)
    return actor


# --- progress updates -------------------------------------------------------------------------------


def require_can_file(user, paragraph: int) -> tuple[JointAction, Actor]:
    """The action and the actor, if `user` may file updates on it; PermissionDenied otherwise."""
    action = get_action(paragraph)
    return action, _require_edit(user, action)


def latest_open_period() -> int:
    """The newest period anyone may report on: the current year somewhere on Earth.

    At New Year, Tokyo (UTC+9) is in the new cycle hours before UTC; no place is ahead of UTC+14.
    """
    return (timezone.now() + datetime.timedelta(hours=14)).year


def _refuse_after_the_call(period: int, now: datetime.datetime) -> None:
    """An update after its cycle's call for updates closed is refused when the secretariats chose so for
    that cycle; otherwise it is filed and shown as late (`queries.period_statuses`), never silently."""
    call = reporting_calendar.current().calls.get(period)
    if call is not None and call.refuse_late and call.is_late(now):
        closed = call.closes_at.date().isoformat()
        raise Invalid(
            _(
                "period: the call for updates of %(period)s closed on %(date)s (UTC); the secretariats "
                "accept no late update for this cycle."
            )
            % {"period": period, "date": closed},
            {"period": _("The call for updates closed on %(date)s.") % {"date": closed}},
        )


def file_update(user, paragraph: int, data: Mapping[str, Any]) -> ProgressUpdate:
    """File the author's party's status of an action for a period (default: the current one).

    A second update for the same period is a new version, never an overwrite: the history is kept.
    """
    data = _without_party_claim(user, data)
    _unknown_fields(data, UpdateForm)
    action = get_action(paragraph)
    actor = _require_edit(user, action)
    cleaned = _validated(UpdateForm(data))
    period = cleaned.get("period") or current_period()
    if period > latest_open_period():
        raise Invalid(
            _("period: you cannot report on a cycle that has not started."),
            {"period": _("The %(period)s cycle has not started.") % {"period": period}},
        )
    now = timezone.now()
    _refuse_after_the_call(period, now)
    # Two people of one party may file at the same moment: the unique constraint decides, and the
    # loser takes the next version number instead of failing (its ledger entry is rolled back with it).
    for _attempt in range(5):
        try:
            with transaction.atomic():
                latest = ProgressUpdate.objects.filter(
                    action=action, party=actor.party, period=period
                ).aggregate(Max("version"))["version__max"]
                update = ProgressUpdate.objects.create(
                    action=action,
                    party=actor.party,
                    period=period,
                    version=(latest or 0) + 1,
                    status=cleaned["status"],
                    narrative=cleaned["narrative"],
                    language=cleaned["language"],
                    author=actor.user,
                    organisation=actor.organisation,
                )
                entry = records.sign(
                    records.PROGRESS_UPDATE,
                    actor.party.code,
                    actor.organisation.code,
                    now,
                    records.update_content(update),
                )
                # An update is append-only (save() refuses a change): its time and entry are set here.
                ProgressUpdate.objects.filter(pk=update.pk).update(created_at=now, ledger_entry=entry)
                update.created_at, update.ledger_entry = now, entry
                return update
        except IntegrityError:
            continue
    raise Conflict(_("Too many simultaneous updates to this action; try again."))


# --- deliverables -----------------------------------------------------------------------------------


def _owner_organisation(actor: Actor, code: str | None) -> Organisation:
    if not code:
        return actor.organisation
    organisation = Organisation.objects.filter(code=code).first()
    if organisation is None:
        raise Invalid(
            _("organisation: no organisation %(code)s.") % {"code": code}, {"organisation": _("unknown")}
        )
    if organisation.party_id != actor.party.pk:
        raise PermissionDenied(
            _("organisation: %(code)s is not an organisation of your party.") % {"code": code}
        )
    return organisation


def _sign_state(actor: Actor, record: Deliverable | Indicator, now: datetime.datetime) -> None:
    """Sign the full current state of a deliverable or indicator and link the object to its entry."""
    if isinstance(record, Deliverable):
        record_type, content = records.DELIVERABLE, records.deliverable_content(record)
    else:
        record_type, content = records.INDICATOR, records.indicator_content(record)
    entry = records.sign(record_type, actor.party.code, actor.organisation.code, now, content)
    type(record).objects.filter(pk=record.pk).update(ledger_entry=entry)
    record.ledger_entry = entry


@transaction.atomic
def create_deliverable(user, paragraph: int, data: Mapping[str, Any]) -> Deliverable:
    """Add a deliverable of the author's party to an action (signed into the ledger)."""
    data = _without_party_claim(user, data)
    _unknown_fields(data, DeliverableForm, {"organisation"})
    action = get_action(paragraph)
    actor = _require_edit(user, action)
    organisation = _owner_organisation(actor, data.get("organisation"))
    form = DeliverableForm(data)
    _validated(form)
    now = timezone.now()
    deliverable = form.save(commit=False)
    deliverable.action = action
    deliverable.party = actor.party
    deliverable.organisation = organisation
    deliverable.save()
    Deliverable.objects.filter(pk=deliverable.pk).update(created_at=now, updated_at=now)
    deliverable.created_at = deliverable.updated_at = now
    _sign_state(actor, deliverable, now)
    return deliverable


def _readable(model: type[Deliverable] | type[Indicator], user, uid: UUID | str):
    """The record with this uid, if the user is a member; NotFound otherwise (also for a malformed uid)."""
    key = as_uuid(uid)
    if key is None or actor_for(user) is None:
        return None
    return (
        model.objects.select_related("action", "party", "organisation", "ledger_entry")
        .filter(uid=key)
        .first()
    )


def get_deliverable(user, uid: UUID | str) -> Deliverable:
    """A deliverable the user may read."""
    deliverable = _readable(Deliverable, user, uid)
    if deliverable is None:
        raise NotFound(_("There is no deliverable %(id)s.") % {"id": uid})
    return deliverable


def etag(record: Deliverable | Indicator) -> str:
    """The ETag of a mutable record: it changes with every revision."""
    return f'"{record.uid}.{record.revision}"'


def _check_precondition(record: Deliverable | Indicator, if_match: str | None) -> int:
    """The revision `if_match` names; raises unless it is the record's current one."""
    if not if_match:
        raise PreconditionRequired(_("Send If-Match with the ETag you read, so that no edit is lost."))
    if if_match.strip() != etag(record):
        raise PreconditionFailed(_("This record was changed by someone else; read it again and retry."))
    return record.revision


def _compare_and_set(model, record, expected_revision: int, values: dict[str, Any]) -> None:
    # Compare-and-set on the revision: of two concurrent edits with the same ETag, exactly one wins.
    changed = model.objects.filter(pk=record.pk, revision=expected_revision).update(
        revision=F("revision") + 1, **values
    )
    if not changed:
        raise PreconditionFailed(_("This record was changed by someone else; read it again and retry."))
    record.refresh_from_db()


@transaction.atomic
def change_deliverable(user, uid: UUID | str, data: Mapping[str, Any], if_match: str | None) -> Deliverable:
    """Change some fields of a deliverable of the author's party, if it is unchanged since read.

    Each change (a status change too) is a new signed record of the deliverable's full state.
    """
    data = _without_party_claim(user, data)
    _unknown_fields(data, DeliverableForm, {"organisation"})
    deliverable = get_deliverable(user, uid)
    actor = require_can_change(user, deliverable)
    expected = _check_precondition(deliverable, if_match)
    initial = {name: getattr(deliverable, name) for name in DeliverableForm.base_fields}
    form = DeliverableForm({**initial, **data}, instance=deliverable)
    cleaned = _validated(form)
    values = {name: cleaned[name] for name in DeliverableForm.base_fields}
    if "organisation" in data:
        values["organisation"] = _owner_organisation(actor, data["organisation"])
    now = timezone.now()
    # QuerySet.update() does not apply auto_now: the change's time is set with the values.
    _compare_and_set(Deliverable, deliverable, expected, {**values, "updated_at": now})
    _sign_state(actor, deliverable, now)
    return deliverable


# --- indicators -------------------------------------------------------------------------------------


@transaction.atomic
def create_indicator(user, paragraph: int, data: Mapping[str, Any]) -> Indicator:
    """Define an indicator of the author's party for an action (signed into the ledger)."""
    data = _without_party_claim(user, data)
    _unknown_fields(data, IndicatorForm, {"organisation"})
    action = get_action(paragraph)
    actor = _require_edit(user, action)
    organisation = _owner_organisation(actor, data.get("organisation"))
    form = IndicatorForm(data)
    _validated(form)
    now = timezone.now()
    indicator = form.save(commit=False)
    indicator.action, indicator.party, indicator.organisation = action, actor.party, organisation
    indicator.save()
    Indicator.objects.filter(pk=indicator.pk).update(created_at=now, updated_at=now)
    indicator.created_at = indicator.updated_at = now
    # Read back: the record carries the stored decimals, not the input's spelling of them.
    indicator.refresh_from_db(fields=["baseline_value", "target_value"])
    _sign_state(actor, indicator, now)
    return indicator


def get_indicator(user, uid: UUID | str) -> Indicator:
    """An indicator the user may read."""
    indicator = _readable(Indicator, user, uid)
    if indicator is None:
        raise NotFound(_("There is no indicator %(id)s.") % {"id": uid})
    return indicator


@transaction.atomic
def change_indicator(user, uid: UUID | str, data: Mapping[str, Any], if_match: str | None) -> Indicator:
    """Change an indicator's definition, if it is unchanged since read (a new signed record)."""
    data = _without_party_claim(user, data)
    _unknown_fields(data, IndicatorForm)
    indicator = get_indicator(user, uid)
    actor = require_can_change(user, indicator)
    expected = _check_precondition(indicator, if_match)
    initial = {name: getattr(indicator, name) for name in IndicatorForm.base_fields}
    cleaned = _validated(IndicatorForm({**initial, **data}, instance=indicator))
    now = timezone.now()
    values = {name: cleaned[name] for name in IndicatorForm.base_fields}
    _compare_and_set(Indicator, indicator, expected, {**values, "updated_at": now})
    _sign_state(actor, indicator, now)
    return indicator


def record_indicator_value(
    user, uid: UUID | str, data: Mapping[str, Any], replace: bool = False
) -> tuple[IndicatorValue, bool]:
    """Record an actual value for one period; return it and whether it was new.

    A value already recorded for the period is a conflict unless `replace` (spreadsheet imports
    correct values in bulk) or the same value and source are sent again (harmless repetition, which
    changes and signs nothing). Each recording that changes something is a new signed record.
    """
    data = _without_party_claim(user, data)
    _unknown_fields(data, IndicatorValueForm)
    indicator = get_indicator(user, uid)
    actor = require_can_change(user, indicator)
    cleaned = _validated(IndicatorValueForm(data))
    now = timezone.now()
    with transaction.atomic():
        existing = (
            IndicatorValue.objects.select_for_update()
            .filter(
                indicator=indicator, period_start=cleaned["period_start"], period_end=cleaned["period_end"]
            )
            .first()
        )
        if existing is not None:
            same = existing.value == cleaned["value"] and existing.source == cleaned["source"]
            if not (replace or same):
                raise Conflict(
                    _("A value is already recorded for %(start)s to %(end)s.")
                    % {"start": cleaned["period_start"], "end": cleaned["period_end"]}
                )
            if same:
                return existing, False
            existing.value, existing.source, existing.recorded_by = (
                cleaned["value"],
                cleaned["source"],
                actor.user,
            )
            existing.save()
            _sign_value(actor, existing, now)
            return existing, False
        try:
            # Two first values for one period at the same moment: the unique constraint refuses the
            # second (select_for_update above locks no row yet); answer it as the conflict it is.
            with transaction.atomic():
                value = IndicatorValue.objects.create(indicator=indicator, recorded_by=actor.user, **cleaned)
                _sign_value(actor, value, now)
        except IntegrityError:
            raise Conflict(
                _("A value is already recorded for %(start)s to %(end)s.")
                % {"start": cleaned["period_start"], "end": cleaned["period_end"]}
            ) from None
        return value, True


def _sign_value(actor: Actor, value: IndicatorValue, now: datetime.datetime) -> None:
    value.refresh_from_db(fields=["value"])  # the stored decimal, as a reader of the log will see it
    entry = records.sign(
        records.INDICATOR_VALUE, actor.party.code, actor.organisation.code, now, records.value_content(value)
    )
    IndicatorValue.objects.filter(pk=value.pk).update(recorded_at=now, ledger_entry=entry)
    value.recorded_at, value.ledger_entry = now, entry


# --- comments ---------------------------------------------------------------------------------------


def add_comment(user, paragraph: int, data: Mapping[str, Any]) -> Comment:
    """Comment on an action as the author's own organisation."""
    data = _without_party_claim(user, data)
    _unknown_fields(data, CommentForm)
    actor = require_actor(user)
    action = get_action(paragraph)
    cleaned = _validated(CommentForm(data))
    return Comment.objects.create(
        action=action, author=actor.user, organisation=actor.organisation, **cleaned
    )


# --- translations (issue 15) ------------------------------------------------------------------------


def translation_source(kind: str, uid: UUID | str) -> translations.Source:
    """The item of `kind` with `uid` that a translation is of; NotFound when there is none."""
    found = translations.kind_of(kind)
    item = as_uuid(uid)
    source = translations.source_of(kind, item) if found is not None and item is not None else None
    if source is None:
        raise NotFound(_("There is no such text to translate."))
    return source


def require_can_translate(user, kind: str, uid: UUID | str) -> tuple[translations.Source, Actor]:
    """The item and the actor, if `user` may translate it (its author or its party's secretariat)."""
    source = translation_source(kind, uid)
    actor = require_translate(user, source.party_id, source.author_user_id, source.author_organisation_id)
    return source, actor


def translate(user, kind: str, uid: UUID | str, data: Mapping[str, Any]) -> Translation:
    """Add or replace the translation of an update, deliverable, outcome or contribution.

    Entered by a person, never made here by a machine: its author or its party's secretariat
    (`people.permissions.can_translate`). Into the other language than the source's; the translation
    keeps the revision and digest of the source text it was made from, and is signed and appended to the
    ledger (`programme.translation`) in the same transaction. A replacement keeps the translation's uid
    and takes the next revision.
    """
    data = dict(data)
    source, actor = require_can_translate(user, kind, uid)
    kind_spec = translations.kind_of(kind)
    assert kind_spec is not None  # translation_source found it
    allowed = {"language", "machine_assisted"} | {text_field.name for text_field in kind_spec.fields}
    unknown = set(data) - allowed
    if unknown:
        fields = {name: _("unknown field") for name in sorted(unknown)}
        raise Invalid(_("Unknown field: %(fields)s") % {"fields": ", ".join(sorted(unknown))}, fields)
    data.setdefault("language", source.target_language)
    for name, value in data.items():
        if isinstance(value, str):
            check_text(value, name)
    cleaned = _validated(TranslationForm(data, kind=kind_spec, source_fields=source.fields))
    language = cleaned["language"]
    if language == source.language:
        raise Invalid(
            _("language: the text is already in %(language)s; translate it into the other language.")
            % {"language": Language(language).label},
            {"language": _("Choose the other language than the original's.")},
        )
    text = cleaned["text"].strip()
    description = cleaned.get("description", "").strip()
    if not text:
        raise Invalid(_("text: the translation cannot be empty."), {"text": _("This field is required.")})
    now = timezone.now()
    values = {
        "text": text,
        "description": description,
        "human": not cleaned["machine_assisted"],
        "source_language": source.language,
        "source_revision": source.revision,
        "source_sha256": source.digest,
        "party": actor.party,
        "organisation": actor.organisation,
        "translator": actor.user,
        "translated_at": now,
    }
    # Two people may add the first translation at the same moment: the unique constraint decides, and
    # the other's write becomes a replacement on its second attempt (its ledger entry is rolled back).
    for attempt in range(2):
        try:
            return _save_translation(actor, kind, source, language, values, now)
        except IntegrityError:
            if attempt:
                raise Conflict(_("Someone saved this translation at the same moment; try again.")) from None
    raise AssertionError("unreachable")


def _save_translation(
    actor: Actor,
    kind: str,
    source: translations.Source,
    language: str,
    values: dict[str, Any],
    now: datetime.datetime,
) -> Translation:
    with transaction.atomic():
        existing = (
            Translation.objects.select_for_update()
            .filter(kind=kind, item_uid=source.uid, language=language)
            .first()
        )
        if existing is None:
            translation = Translation.objects.create(
                kind=kind, item_uid=source.uid, language=language, revision=1, **values
            )
        else:
            # A translation signed by a peer node is that node's: it is replaced there, not here.
            require_local_record(existing.signed_by)
            for name, value in values.items():
                setattr(existing, name, value)
            existing.revision += 1
            existing.save()
            translation = existing
        entry = records.sign(
            records.TRANSLATION,
            actor.party.code,
            actor.organisation.code,
            now,
            records.translation_content(translation),
        )
        Translation.objects.filter(pk=translation.pk).update(ledger_entry=entry)
        translation.ledger_entry = entry
    return translation

"""The programme's rules: filing updates, changing deliverables and indicators, commenting.

Every write takes the acting user, derives the party and organisation from them (never from input),
checks permissions in `people.permissions`, validates through the forms, and is atomic.
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
from partnership.people.models import Organisation
from partnership.people.permissions import Actor, actor_for, require_actor, require_edit_progress

from .forms import CommentForm, DeliverableForm, IndicatorForm, IndicatorValueForm, UpdateForm
from .models import (
    Comment,
    Deliverable,
    Indicator,
    IndicatorValue,
    JointAction,
    ProgressUpdate,
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


def _uuid(value: UUID | str) -> UUID | None:
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
    actor = require_actor(user)
    return require_edit_progress(
        actor, actor.party.pk if party_id is None else party_id, lead_organisation_ids(action)
    )


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
    # Two people of one party may file at the same moment: the unique constraint decides, and the
    # loser takes the next version number instead of failing.
    for _attempt in range(5):
        try:
            with transaction.atomic():
                latest = ProgressUpdate.objects.filter(
                    action=action, party=actor.party, period=period
                ).aggregate(Max("version"))["version__max"]
                return ProgressUpdate.objects.create(
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


def create_deliverable(user, paragraph: int, data: Mapping[str, Any]) -> Deliverable:
    """Add a deliverable of the author's party to an action."""
    data = _without_party_claim(user, data)
    _unknown_fields(data, DeliverableForm, {"organisation"})
    action = get_action(paragraph)
    actor = _require_edit(user, action)
    organisation = _owner_organisation(actor, data.get("organisation"))
    form = DeliverableForm(data)
    _validated(form)
    deliverable = form.save(commit=False)
    deliverable.action = action
    deliverable.party = actor.party
    deliverable.organisation = organisation
    deliverable.save()
    return deliverable


def _readable(model: type[Deliverable] | type[Indicator], user, uid: UUID | str):
    """The record with this uid, if the user is a member; NotFound otherwise (also for a malformed uid)."""
    key = _uuid(uid)
    if key is None or actor_for(user) is None:
        return None
    return model.objects.select_related("action", "party", "organisation").filter(uid=key).first()


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
    """Change some fields of a deliverable of the author's party, if it is unchanged since read."""
    data = _without_party_claim(user, data)
    _unknown_fields(data, DeliverableForm, {"organisation"})
    deliverable = get_deliverable(user, uid)
    actor = _require_edit(user, deliverable.action, party_id=deliverable.party_id)
    expected = _check_precondition(deliverable, if_match)
    initial = {name: getattr(deliverable, name) for name in DeliverableForm.base_fields}
    form = DeliverableForm({**initial, **data}, instance=deliverable)
    cleaned = _validated(form)
    values = {name: cleaned[name] for name in DeliverableForm.base_fields}
    if "organisation" in data:
        values["organisation"] = _owner_organisation(actor, data["organisation"])
    _compare_and_set(Deliverable, deliverable, expected, values)
    return deliverable


# --- indicators -------------------------------------------------------------------------------------


def create_indicator(user, paragraph: int, data: Mapping[str, Any]) -> Indicator:
    """Define an indicator of the author's party for an action."""
    data = _without_party_claim(user, data)
    _unknown_fields(data, IndicatorForm, {"organisation"})
    action = get_action(paragraph)
    actor = _require_edit(user, action)
    organisation = _owner_organisation(actor, data.get("organisation"))
    form = IndicatorForm(data)
    _validated(form)
    indicator = form.save(commit=False)
    indicator.action, indicator.party, indicator.organisation = action, actor.party, organisation
    indicator.save()
    return indicator


def get_indicator(user, uid: UUID | str) -> Indicator:
    """An indicator the user may read."""
    indicator = _readable(Indicator, user, uid)
    if indicator is None:
        raise NotFound(_("There is no indicator %(id)s.") % {"id": uid})
    return indicator


@transaction.atomic
def change_indicator(user, uid: UUID | str, data: Mapping[str, Any], if_match: str | None) -> Indicator:
    """Change an indicator's definition, if it is unchanged since read."""
    data = _without_party_claim(user, data)
    _unknown_fields(data, IndicatorForm)
    indicator = get_indicator(user, uid)
    _require_edit(user, indicator.action, party_id=indicator.party_id)
    expected = _check_precondition(indicator, if_match)
    initial = {name: getattr(indicator, name) for name in IndicatorForm.base_fields}
    cleaned = _validated(IndicatorForm({**initial, **data}, instance=indicator))
    _compare_and_set(
        Indicator, indicator, expected, {name: cleaned[name] for name in IndicatorForm.base_fields}
    )
    return indicator


def record_indicator_value(
    user, uid: UUID | str, data: Mapping[str, Any], replace: bool = False
) -> tuple[IndicatorValue, bool]:
    """Record an actual value for one period; return it and whether it was new.

    A value already recorded for the period is a conflict unless `replace` (spreadsheet imports
    correct values in bulk) or the same value and source are sent again (harmless repetition).
    """
    data = _without_party_claim(user, data)
    _unknown_fields(data, IndicatorValueForm)
    indicator = get_indicator(user, uid)
    actor = _require_edit(user, indicator.action, party_id=indicator.party_id)
    cleaned = _validated(IndicatorValueForm(data))
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
            existing.value, existing.source, existing.recorded_by = (
                cleaned["value"],
                cleaned["source"],
                actor.user,
            )
            existing.save()
            return existing, False
        try:
            # Two first values for one period at the same moment: the unique constraint refuses the
            # second (select_for_update above locks no row yet); answer it as the conflict it is.
            with transaction.atomic():
                value = IndicatorValue.objects.create(indicator=indicator, recorded_by=actor.user, **cleaned)
        except IntegrityError:
            raise Conflict(
                _("A value is already recorded for %(start)s to %(end)s.")
                % {"start": cleaned["period_start"], "end": cleaned["period_end"]}
            ) from None
        return value, True


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

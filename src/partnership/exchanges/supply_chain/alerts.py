"""Every write of supply-chain events and alerts (issue 16, items 3 and 4; para 46: exchange of
information in anticipation of disruptions, early warning, crisis preparedness).

Each takes the acting user, checks `people.permissions.require_write_supply_alerts` (a party's
secretariat or action lead, on its own party's node), finds the event or alert through what the user may
read (the TLP rule: an event or alert the user cannot read is "not found"), validates (`Invalid` naming
the field), stores and signs one record of the acting party (`alert_records`) in one transaction.

The `clean_*` functions check a member's input and a peer's record alike; `apply_step` makes the change
a step describes, for a local write and for a peer's record.
"""

from __future__ import annotations

import datetime
import logging
import re
import smtplib
import uuid
from typing import Any

import pycountry
from django.contrib.auth.models import AnonymousUser, User
from django.core.mail import send_mail
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from partnership.errors import Invalid, PermissionDenied
from partnership.inputs import check_text, check_texts
from partnership.people.models import Organisation, Party
from partnership.people.permissions import Actor, require_write_supply_alerts, supply_chain_reader
from partnership.people.tlp import RESTRICTED, Tlp

from . import alert_queries, alert_records
from .alert_models import (
    STAGE_RANK,
    Acknowledgement,
    Alert,
    AlertOwner,
    AlertStep,
    AlertSubscription,
    Assessment,
    ContentLanguage,
    Event,
    EventAddition,
    EventKind,
    PreventiveAction,
    Severity,
    Stage,
    StepKind,
)
from .models import Series, Signal

logger = logging.getLogger(__name__)

TITLE_MAX = 200
TEXT_MAX = 20_000
SITE_MAX = 200
PRODUCTS_TEXT_MAX = 300
FIRMS_MAX = 20
FIRM_MAX = 200
HS_MAX = 20
RECIPIENTS_MAX = 50
ACTION_MAX = 500
DAYS_MAX = 3650
#: Dates an event or action may have.
EARLIEST = datetime.date(1900, 1, 1)
LATEST = datetime.date(2100, 12, 31)
HS = re.compile(r"854[12](\d{2}){0,2}")


# --- checking input (a member's, or a peer's record) ----------------------------------------------------


def _invalid(name: str, message: str) -> Invalid:
    return Invalid(f"{name}: {message}", {name: message})


def _text(data: dict[str, Any], name: str, limit: int, required: bool = False) -> str:
    value = data.get(name, "")
    if value is None:
        value = ""
    if not isinstance(value, str):
        raise _invalid(name, _("must be a text."))
    value = check_text(value.strip(), name)
    if required and not value:
        raise _invalid(name, _("This field is required."))
    if len(value) > limit:
        raise _invalid(name, _("at most %(max)s characters, not %(n)s.") % {"max": limit, "n": len(value)})
    return value


def _choice(data: dict[str, Any], name: str, choices: list[str], default: str | None = None) -> str:
    value = data.get(name) or default
    if value not in choices:
        raise _invalid(
            name,
            _("%(value)s is not one of %(choices)s.")
            % {"value": repr(value)[:40], "choices": ", ".join(choices)},
        )
    return value


def _date(data: dict[str, Any], name: str, required: bool = True) -> datetime.date | None:
    value = data.get(name)
    if value in (None, ""):
        if required:
            raise _invalid(name, _("This field is required."))
        return None
    if isinstance(value, datetime.date):
        found = value
    else:
        try:
            if not isinstance(value, str) or len(value) != 10:
                raise ValueError
            found = datetime.date.fromisoformat(value)
        except ValueError:
            raise _invalid(
                name, _("%(value)s is not a date of the form YYYY-MM-DD.") % {"value": repr(value)[:40]}
            ) from None
    if not EARLIEST <= found <= LATEST:
        raise _invalid(name, _("give a date from %(a)s to %(b)s.") % {"a": EARLIEST.year, "b": LATEST.year})
    return found


def _list(data: dict[str, Any], name: str) -> list[str]:
    """A list of texts, given as a list or as one text of lines or commas."""
    value = data.get(name)
    if value in (None, ""):
        return []
    if isinstance(value, str):
        value = [part for part in re.split(r"[\n,;]", value)]
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        raise _invalid(name, _("must be a list of texts."))
    return [check_text(item.strip(), name) for item in value if item.strip()]


def country_name(code: str, language: str = "en") -> str:
    """The name of ISO 3166-1 country `code` in `language`, or the code itself."""
    import gettext

    country = pycountry.countries.get(alpha_2=code)
    if country is None:
        return code
    name = getattr(country, "common_name", None) or country.name
    if language == "ja":
        catalogue = gettext.translation("iso3166-1", pycountry.LOCALES_DIR, languages=["ja"], fallback=True)
        return catalogue.gettext(name) if catalogue.gettext(name) != name else catalogue.gettext(country.name)
    return name


def _country(data: dict[str, Any]) -> str:
    value = data.get("country")
    code = value.strip().upper() if isinstance(value, str) else ""
    if len(code) != 2 or pycountry.countries.get(alpha_2=code) is None:
        raise _invalid(
            "country",
            _("%(value)s is not an ISO 3166-1 country code such as JP or DE.") % {"value": repr(value)[:40]},
        )
    return code


def _products(data: dict[str, Any]) -> list[str]:
    found = []
    for item in _list(data, "products"):
        code = item.replace(".", "").replace(" ", "")
        if not HS.fullmatch(code):
            raise _invalid(
                "products",
                _("%(value)s is not an HS code of semiconductors (8541 or 8542, at 4, 6 or 8 digits).")
                % {"value": repr(item)[:40]},
            )
        if code not in found:
            found.append(code)
    if len(found) > HS_MAX:
        raise _invalid("products", _("at most %(max)s codes.") % {"max": HS_MAX})
    return found


def _firms(data: dict[str, Any]) -> list[str]:
    firms = _list(data, "firms")
    if len(firms) > FIRMS_MAX:
        raise _invalid("firms", _("at most %(max)s firms.") % {"max": FIRMS_MAX})
    for firm in firms:
        if len(firm) > FIRM_MAX:
            raise _invalid("firms", _("a firm's name has at most %(max)s characters.") % {"max": FIRM_MAX})
    return firms


def _marking(data: dict[str, Any], party: Party, default: str) -> tuple[str, list[Organisation]]:
    """The TLP level and the organisations named. A restricted level (AMBER, AMBER+STRICT, RED) must name
    an organisation of the other party: events and alerts are for the other party to read and answer."""
    level = _choice(data, "tlp", list(Tlp.values), default)
    codes = _list(data, "recipients")
    if len(codes) > RECIPIENTS_MAX:
        raise _invalid("recipients", _("at most %(max)s organisations.") % {"max": RECIPIENTS_MAX})
    organisations = list(Organisation.objects.filter(code__in=codes).select_related("party"))
    unknown = sorted(set(codes) - {organisation.code for organisation in organisations})
    if unknown:
        raise _invalid("recipients", _("no organisation %(codes)s.") % {"codes": ", ".join(unknown)[:200]})
    if level in RESTRICTED and not any(
        organisation.party_id not in (None, party.pk) for organisation in organisations
    ):
        raise _invalid(
            "recipients",
            _(
                "%(level)s is read only by the organisations named: name at least one organisation of the "
                "other party, or choose TLP:CLEAR or TLP:GREEN."
            )
            % {"level": Tlp(level).label},
        )
    return level, organisations


def clean_event(data: dict[str, Any], party: Party) -> dict[str, Any]:
    """An event's description, or `Invalid` naming the first wrong field."""
    if not isinstance(data, dict):
        raise Invalid(_("An event is an object of fields."))
    days = data.get("expected_days")
    if days in (None, ""):
        days = None
    else:
        try:
            if isinstance(days, bool) or not isinstance(days, int | str):
                raise ValueError
            days = int(days)
        except ValueError:
            raise _invalid("expected_days", _("must be a whole number of days.")) from None
        if not 0 <= days <= DAYS_MAX:
            raise _invalid("expected_days", _("give 0 to %(max)s days.") % {"max": DAYS_MAX})
    level, recipients = _marking(data, party, Tlp.AMBER)
    return {
        "kind": _choice(data, "kind", list(EventKind.values)),
        "title": _text(data, "title", TITLE_MAX, required=True),
        "country": _country(data),
        "site": _text(data, "site", SITE_MAX),
        "products": _products(data),
        "products_text": _text(data, "products_text", PRODUCTS_TEXT_MAX),
        "firms": _firms(data),
        "severity": _choice(data, "severity", list(Severity.values)),
        "expected_days": days,
        "start_date": _date(data, "start_date"),
        "description": _text(data, "description", TEXT_MAX),
        "language": _choice(data, "language", list(ContentLanguage.values), "en"),
        "tlp": level,
        "recipients": recipients,
    }


def _writer(user: User | AnonymousUser | None) -> Actor:
    return require_write_supply_alerts(user)


def report_event(user: User | AnonymousUser | None, data: dict[str, Any], uid: Any = None) -> Event:
    """A party reports a disruption; signed and sealed to the other party's node."""
    actor = _writer(user)
    cleaned = clean_event(data, actor.party)
    recipients = cleaned.pop("recipients")
    with transaction.atomic():
        event = Event.objects.create(
            uid=uid or uuid.uuid4(),
            party=actor.party,
            organisation=actor.organisation,
            reported_at=timezone.now(),
            **cleaned,
        )
        event.recipients.set(recipients)
        event.ledger_entry = alert_records.share_event(event)
        event.save(update_fields=["ledger_entry"])
    return event


def clean_addition(data: dict[str, Any]) -> dict[str, Any]:
    if not isinstance(data, dict):
        raise Invalid(_("An addition is an object of fields."))
    return {
        "text": _text(data, "text", TEXT_MAX),
        "language": _choice(data, "language", list(ContentLanguage.values), "en"),
    }


def add_to_event(user: User | AnonymousUser | None, uid: Any, data: dict[str, Any]) -> EventAddition:
    """The other party acknowledges an event and adds what it knows (its own signed record)."""
    actor = _writer(user)
    event = alert_queries.event(user, uid)
    if event.party_id == actor.party.pk:
        raise PermissionDenied(
            _("An event is acknowledged and added to by the other party; your party reported this one.")
        )
    cleaned = clean_addition(data)
    with transaction.atomic():
        addition = EventAddition.objects.create(
            event=event,
            party=actor.party,
            organisation=actor.organisation,
            added_at=timezone.now(),
            **cleaned,
        )
        addition.ledger_entry = alert_records.share_addition(addition)
        addition.save(update_fields=["ledger_entry"])
    return addition


# --- alerts ----------------------------------------------------------------------------------------------


def clean_proposal(data: dict[str, Any], party: Party) -> dict[str, Any]:
    """An alert's proposal: title, description, language, stage, TLP and recipients, and its source: an
    `event` (uid) or a signal (`series` uid and `signal_date`, with `signal_summary`)."""
    if not isinstance(data, dict):
        raise Invalid(_("An alert is an object of fields."))
    level, recipients = _marking(data, party, Tlp.GREEN)
    cleaned: dict[str, Any] = {
        "title": _text(data, "title", TITLE_MAX, required=True),
        "description": _text(data, "description", TEXT_MAX),
        "language": _choice(data, "language", list(ContentLanguage.values), "en"),
        "stage": _choice(data, "stage", list(Stage.values), Stage.MONITORING),
        "tlp": level,
        "recipients": recipients,
        "event": None,
        "series": None,
        "signal_date": None,
        "signal_summary": {},
    }
    for name in ("event", "series"):
        value = data.get(name)
        if value not in (None, ""):
            try:
                cleaned[name] = uuid.UUID(str(value))
            except ValueError:
                raise _invalid(name, _("%(value)s is not a UUID.") % {"value": repr(value)[:40]}) from None
    if cleaned["series"] is not None:
        cleaned["signal_date"] = _date(data, "signal_date")
        summary = data.get("signal_summary") or {}
        if not isinstance(summary, dict) or len(repr(summary)) > 2000:
            raise _invalid("signal_summary", _("must be a small object."))
        cleaned["signal_summary"] = summary
    elif data.get("signal_date") not in (None, ""):
        raise _invalid(
            "signal_date", _("a signal's date goes with its series: give the series, or leave it out.")
        )
    if (cleaned["event"] is None) == (cleaned["series"] is None):
        raise Invalid(
            _("An alert comes from an event or from a signal: give one of them."),
            {"source": _("give an event or a signal")},
        )
    return cleaned


def _signal_summary(signal: Signal) -> dict[str, Any]:
    return {
        "detector": signal.detector,
        "method": signal.method,
        "direction": signal.direction,
        "value": signal.value,
        "baseline": signal.baseline,
    }


def propose_alert(user: User | AnonymousUser | None, data: dict[str, Any], uid: Any = None) -> Alert:
    """A party proposes an alert from an event it may read, or from a signal of a series (named by its
    `signal` id here, or by `series` uid and `signal_date`); the proposal is its assessment and
    acknowledgement."""
    actor = _writer(user)
    data = dict(data) if isinstance(data, dict) else data
    if isinstance(data, dict) and data.get("signal") not in (None, ""):
        signal = alert_queries_signal(user, data["signal"])
        data.update(series=str(signal.series.uid), signal_date=signal.date.isoformat())
        data["signal_summary"] = _signal_summary(signal)
    cleaned = clean_proposal(data, actor.party)
    event = series = None
    if cleaned["event"] is not None:
        event = alert_queries.event(user, cleaned["event"])
    else:
        series = Series.objects.filter(uid=cleaned["series"]).first()
        if series is None:
            raise _invalid("series", _("There is no such series."))
        if not cleaned["signal_summary"]:
            found = (
                Signal.objects.filter(series=series, date=cleaned["signal_date"]).order_by("detector").first()
            )
            if found is None:
                raise _invalid("signal_date", _("the series has no signal on that date."))
            cleaned["signal_summary"] = _signal_summary(found)
    now = timezone.now()
    with transaction.atomic():
        alert = Alert(
            uid=uid or uuid.uuid4(), party=actor.party, organisation=actor.organisation, proposed_at=now
        )
        _fill_proposal(alert, cleaned, event, series)
        step = apply_step(
            alert,
            StepKind.PROPOSAL,
            actor.party,
            actor.organisation,
            _proposal_data(alert, cleaned),
            now,
            None,
        )
        _sign(step)
    notify(alert, StepKind.PROPOSAL)
    return alert


def alert_queries_signal(user: User | AnonymousUser | None, signal_id: Any) -> Signal:
    """A signal of a series the user may read, by its id on this node."""
    from . import queries

    try:
        key = int(signal_id)
    except (TypeError, ValueError):
        raise _invalid("signal", _("%(value)s is not a signal.") % {"value": repr(signal_id)[:40]}) from None
    found = queries.recent_signals(user).filter(pk=key).first()
    if found is None:
        raise _invalid("signal", _("%(value)s is not a signal.") % {"value": repr(signal_id)[:40]})
    return found


def _fill_proposal(alert: Alert, cleaned: dict[str, Any], event: Event | None, series: Series | None) -> None:
    for name in ("title", "description", "language", "stage", "tlp", "signal_date", "signal_summary"):
        setattr(alert, name, cleaned[name])
    alert.event, alert.series = event, series


def _proposal_data(alert: Alert, cleaned: dict[str, Any]) -> dict[str, Any]:
    """What a proposal's record carries (recipients by code, dates as text)."""
    return {
        "title": cleaned["title"],
        "description": cleaned["description"],
        "language": cleaned["language"],
        "stage": cleaned["stage"],
        "tlp": cleaned["tlp"],
        "recipients": sorted(organisation.code for organisation in cleaned["recipients"]),
        "event": str(cleaned["event"]) if cleaned["event"] else None,
        "series": str(cleaned["series"]) if cleaned["series"] else None,
        "signal_date": cleaned["signal_date"].isoformat() if cleaned["signal_date"] else None,
        "signal_summary": cleaned["signal_summary"],
    }


def clean_step(kind: str, data: dict[str, Any], party: Party, alert: Alert) -> dict[str, Any]:
    """What a step of `kind` by `party` on `alert` says, checked (a member's input or a peer's record);
    `Invalid` naming the field. Whether the party may make it is `check_step`'s."""
    if not isinstance(data, dict):
        raise Invalid(_("A step is an object of fields."))
    check_texts(data)
    if kind == StepKind.ACKNOWLEDGEMENT:
        return {}
    if kind == StepKind.ASSESSMENT:
        return {"stage": _choice(data, "stage", list(Stage.values)), "note": _text(data, "note", TEXT_MAX)}
    if kind == StepKind.OWNER:
        code = data.get("organisation")
        organisation = Organisation.objects.filter(code=code).first() if isinstance(code, str) else None
        if organisation is None or organisation.party_id != party.pk:
            raise _invalid(
                "organisation",
                _("%(value)s is not an organisation of %(party)s.")
                % {"value": repr(code)[:60], "party": party.code},
            )
        return {"organisation": organisation.code}
    if kind == StepKind.ACTION:
        action = data.get("action") or str(uuid.uuid4())
        try:
            action = str(uuid.UUID(str(action)))
        except ValueError:
            raise _invalid("action", _("%(value)s is not a UUID.") % {"value": repr(action)[:40]}) from None
        deadline = _date(data, "deadline")
        assert deadline is not None
        return {
            "action": action,
            "text": _text(data, "text", ACTION_MAX, required=True),
            "language": _choice(data, "language", list(ContentLanguage.values), "en"),
            "deadline": deadline.isoformat(),
        }
    if kind == StepKind.ACTION_DONE:
        action = data.get("action")
        try:
            action = str(uuid.UUID(str(action)))
        except ValueError:
            raise _invalid("action", _("%(value)s is not a UUID.") % {"value": repr(action)[:40]}) from None
        done = _date(data, "done_on", required=False) or timezone.now().date()
        return {"action": action, "done_on": done.isoformat()}
    if kind == StepKind.CLOSING:
        return {
            "note": _text(data, "note", TEXT_MAX, required=True),
            "lessons": _text(data, "lessons", TEXT_MAX),
            "language": _choice(data, "language", list(ContentLanguage.values), "en"),
        }
    raise _invalid("kind", _("%(value)s is not a step of an alert.") % {"value": repr(kind)[:40]})


def check_step(kind: str, data: dict[str, Any], party: Party, alert: Alert) -> None:
    """Whether `party` may make this step on `alert` now (`Invalid` saying why not)."""
    if kind == StepKind.ACKNOWLEDGEMENT and Acknowledgement.objects.filter(alert=alert, party=party).exists():
        raise Invalid(_("Your party has acknowledged this alert already."), {"alert": _("acknowledged")})
    if kind == StepKind.ACTION and PreventiveAction.objects.filter(uid=data["action"]).exists():
        raise _invalid("action", _("an action %(uid)s exists already.") % {"uid": data["action"]})
    if kind == StepKind.ACTION_DONE:
        action = PreventiveAction.objects.filter(uid=data["action"], alert=alert).first()
        if action is None:
            raise _invalid("action", _("there is no such action on this alert."))
        if action.party_id != party.pk:
            raise PermissionDenied(_("A preventive action is completed by the party that owns it."))
        if action.done_on is not None:
            raise _invalid("action", _("this action is done already."))


def apply_step(
    alert: Alert,
    kind: str,
    party: Party,
    organisation: Organisation,
    data: dict[str, Any],
    at: datetime.datetime,
    entry: Any,
    uid: Any = None,
) -> AlertStep:
    """Make the change a step says (for a local write and a peer's record alike) and keep the step."""
    if kind == StepKind.PROPOSAL:
        alert.save()
        if data["recipients"]:
            alert.recipients.set(Organisation.objects.filter(code__in=data["recipients"]))
        Acknowledgement.objects.create(alert=alert, party=party, at=at)
        Assessment.objects.create(alert=alert, party=party, stage=data["stage"], note="", at=at)
    elif kind == StepKind.ACKNOWLEDGEMENT:
        Acknowledgement.objects.create(alert=alert, party=party, at=at)
    elif kind == StepKind.ASSESSMENT:
        Assessment.objects.update_or_create(
            alert=alert, party=party, defaults={"stage": data["stage"], "note": data["note"], "at": at}
        )
    elif kind == StepKind.OWNER:
        AlertOwner.objects.update_or_create(
            alert=alert,
            party=party,
            defaults={"organisation": Organisation.objects.get(code=data["organisation"])},
        )
    elif kind == StepKind.ACTION:
        PreventiveAction.objects.create(
            uid=data["action"],
            alert=alert,
            party=party,
            organisation=organisation,
            text=data["text"],
            language=data["language"],
            deadline=datetime.date.fromisoformat(data["deadline"]),
            added_at=at,
        )
    elif kind == StepKind.ACTION_DONE:
        PreventiveAction.objects.filter(uid=data["action"]).update(
            done_on=datetime.date.fromisoformat(data["done_on"])
        )
    elif kind == StepKind.CLOSING:
        alert.closed_at = alert.closed_at or at
        alert.closing_note, alert.lessons = data["note"], data["lessons"]
    # The stage is the higher of the parties' latest assessments; the alert is acknowledged when every
    # party of the partnership has acknowledged it.
    stages = list(Assessment.objects.filter(alert=alert).values_list("stage", flat=True))
    if stages:
        alert.stage = max(stages, key=lambda stage: STAGE_RANK[Stage(stage)])
    if alert.acknowledged_at is None:
        acknowledged = list(Acknowledgement.objects.filter(alert=alert).values_list("at", flat=True))
        if len(acknowledged) >= Party.objects.count():
            alert.acknowledged_at = max(acknowledged)
    step = AlertStep.objects.create(
        uid=uid or uuid.uuid4(),
        alert=alert,
        kind=kind,
        party=party,
        organisation=organisation,
        data=data,
        at=at,
        ledger_entry=entry,
    )
    if kind == StepKind.PROPOSAL and entry is not None:
        alert.ledger_entry = entry
    alert.save()
    return step


def _sign(step: AlertStep) -> None:
    entry = alert_records.share_step(step)
    step.ledger_entry = entry
    step.save(update_fields=["ledger_entry"])
    if step.kind == StepKind.PROPOSAL:
        step.alert.ledger_entry = entry
        step.alert.save(update_fields=["ledger_entry"])


def act_on_alert(
    user: User | AnonymousUser | None, uid: Any, kind: str, data: dict[str, Any] | None = None
) -> AlertStep:
    """A step of a party on an alert it may read: acknowledge, assess, name its owner, add a preventive
    action, complete one, close. Each is a signed record of the acting party."""
    actor = _writer(user)
    alert = alert_queries.alert(user, uid)
    if kind == StepKind.PROPOSAL:
        raise _invalid("kind", _("%(value)s is not a step of an alert.") % {"value": kind})
    if not alert.is_open:
        raise Invalid(_("This alert is closed."), {"alert": pgettext("alert", "closed")})
    cleaned = clean_step(kind, data or {}, actor.party, alert)
    with transaction.atomic():
        locked = Alert.objects.select_for_update().get(pk=alert.pk)
        locked.ledger_entry = alert.ledger_entry
        check_step(kind, cleaned, actor.party, locked)
        before = locked.stage
        step = apply_step(locked, kind, actor.party, actor.organisation, cleaned, timezone.now(), None)
        _sign(step)
    if kind == StepKind.CLOSING or (kind == StepKind.ASSESSMENT and locked.stage != before):
        notify(locked, kind)
    return step


def subscribe(user: User | AnonymousUser | None, on: bool) -> bool:
    """Opt in to (or out of) mail about alerts; any member may. Returns whether subscribed now."""
    alert_queries.visible_alerts(user)  # members only
    assert isinstance(user, User)
    if on:
        AlertSubscription.objects.get_or_create(user=user, defaults={"since": timezone.now()})
    else:
        AlertSubscription.objects.filter(user=user).delete()
    return on


def notify(alert: Alert, kind: str) -> None:
    """After the transaction: mail each subscriber who may read `alert`, in their language."""
    uid = alert.uid

    def send() -> None:
        for user in alert_queries.subscribers():
            # Read as each subscriber may read now: one who left the partnership (or became a platform's
            # account) reads no alert, one outside the alert's TLP level not this one; both are skipped.
            if (
                supply_chain_reader(user) is None
                or not alert_queries.visible_alerts(user).filter(uid=uid).exists()
            ):
                continue
            found = Alert.objects.get(uid=uid)
            language = getattr(getattr(user, "membership", None), "language", "en") or "en"
            with translation.override(language):
                stage = Stage(found.stage).label
                if kind == StepKind.PROPOSAL:
                    subject = _("Supply-chain alert proposed by %(party)s: %(title)s")
                elif kind == StepKind.CLOSING:
                    subject = _("Supply-chain alert closed: %(title)s")
                else:
                    subject = _("Supply-chain alert now at stage %(stage)s: %(title)s")
                subject = subject % {"party": found.party.code, "title": found.title, "stage": stage}
                body = _(
                    "%(title)s\nStage: %(stage)s\nProposed by %(party)s on %(date)s (UTC).\n\n"
                    "Read it and its timeline on the alerts page of the partnership's site. You receive this "
                    "mail because you subscribed to supply-chain alerts; unsubscribe on the alerts page."
                ) % {
                    "title": found.title,
                    "stage": stage,
                    "party": found.party.code,
                    "date": found.proposed_at.strftime("%Y-%m-%d %H:%M"),
                }
            try:
                send_mail(subject.replace("\n", " ")[:200], body, None, [user.email])
            except (OSError, smtplib.SMTPException):
                # After the commit: a mail server that is down must not turn the step (or the peer's
                # sync, which applies alerts too) into an error, nor keep the next subscribers unmailed.
                logger.exception("alert notice to %s not sent", user.email)

    transaction.on_commit(send)

"""Every write of the registers of long-term investment plans and export-control measures (para 46:
"exchange on long-term investment strategies and coordination of export controls"; issue 16, items 5 and 6).

Each write takes the acting user, checks `people.permissions.require_write_register` (the party's
secretariat, or the responsible ministry or lead organisation for the entries it wrote), validates the whole
entry (`Invalid` naming the field), stores it as a new revision, and signs the revision into the ledger for
the other party (`register_records`), sealed to the peer node unless it is TLP:CLEAR, all in one
transaction. After the commit, the other party's subscribed members are mailed in their language.

An export-control measure is "notified" when its record reaches the other party: the record's signing time
and, on the receiving node, the receipt are compared with the end of the day it takes effect in the
notifying party's time zone (`notice_deadline`); a revision that reached the other party after that is
`late`.
"""

from __future__ import annotations

import datetime
import logging
import re
import smtplib
import uuid
import zoneinfo
from collections.abc import Callable
from decimal import Decimal, InvalidOperation
from typing import Any

import pycountry
from django.conf import settings
from django.contrib.auth.models import AnonymousUser, User
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import Exists, Model, OuterRef, Q
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from partnership.errors import Conflict, Invalid, NotFound
from partnership.inputs import check_text
from partnership.people import tlp
from partnership.people.models import Membership, Organisation
from partnership.people.permissions import (
    Actor,
    require_actor,
    require_local_record,
    require_write_register,
)

from . import register_records
from .models import (
    ExportControl,
    Investment,
    InvestmentStatus,
    Language,
    MeasureKind,
    Register,
    RegisterEntry,
    RegisterRevision,
    RegisterSubscription,
)

logger = logging.getLogger(__name__)

#: The longest text of each text field.
TEXTS = {
    "firm": 200,
    "site": 200,
    "technology_node": 40,
    "capacity_unit": 80,
    "support_instrument": 200,
    "support_basis": 300,
    "source": 500,
    "title": 300,
    "legal_basis": 300,
}
INVESTMENT_FIELDS = (
    "firm",
    "site",
    "country",
    "technology_node",
    "capacity",
    "capacity_unit",
    "amount",
    "currency",
    "support_amount",
    "support_instrument",
    "support_basis",
    "announced_on",
    "start_on",
    "production_on",
    "status",
    "language",
    "source",
    "tlp",
    "recipients",
)
EXPORT_CONTROL_FIELDS = (
    "title",
    "kind",
    "items",
    "hs_codes",
    "legal_basis",
    "adopted_on",
    "takes_effect",
    "ends_on",
    "language",
    "source",
    "tlp",
    "recipients",
)
#: The control lists an item may be named from, with the form of their entries. Wassenaar's Dual-Use
#: List, the EU's Annex I (Regulation (EU) 2021/821) and the US Commerce Control List share the
#: category-group-number form ("3B001", "3B001.f.1", "3A090.a"); Japan's Export Trade Control Order names
#: a row of its Appended Table 1 ("7(18)", "7(3)(ii)").
CONTROL_LISTS = {
    "wassenaar": re.compile(r"[0-9][A-E][0-9]{3}(\.[a-z0-9]{1,4}){0,4}"),
    "eu-annex-i": re.compile(r"[0-9][A-E][0-9]{3}(\.[a-z0-9]{1,4}){0,4}"),
    "us-ccl": re.compile(r"[0-9][A-E][0-9]{3}(\.[a-z0-9]{1,4}){0,4}"),
    "jp-etco": re.compile(r"[0-9]{1,2}(\([0-9a-z]{1,4}\)){0,4}"),
    "other": re.compile(r"[^\x00-\x1f\x7f]{1,60}"),
}
#: An HS code: a heading (4 digits), a subheading (6) or a national line (8, 10), dots allowed between
#: the pairs ("8486.20", "8542.31.00").
HS_CODE = re.compile(r"[0-9]{4}(\.?[0-9]{2}){0,3}")
MAX_ITEMS = 200
MAX_RECIPIENTS = 50
#: The largest amount a field holds (24 digits, 4 of them decimals).
AMOUNT_MAX = Decimal(10) ** 20
EARLIEST = datetime.date(1950, 1, 1)
LATEST = datetime.date(2100, 12, 31)
#: The zone in which a party's measures take effect (its day ends there).
PARTY_ZONES = {"JP": "Asia/Tokyo", "EU": "Europe/Brussels"}
#: How far ahead the register page lists measures about to take effect.
UPCOMING_DAYS = 30


# --- checking an entry ----------------------------------------------------------------------------------


def _refuse(field: str, reason: str) -> Invalid:
    return Invalid(f"{field}: {reason}", {field: reason})


def _text(data: dict[str, Any], name: str, required: bool = False) -> str:
    value = data.get(name)
    if value is None:
        value = ""
    if not isinstance(value, str):
        raise _refuse(name, _("give a text."))
    value = check_text(value.strip(), name)
    if required and not value:
        raise _refuse(name, _("This field is required."))
    if len(value) > TEXTS[name]:
        raise _refuse(name, _("at most %(max)s characters.") % {"max": TEXTS[name]})
    return value


def _choice(data: dict[str, Any], name: str, choices: list[str], default: str | None = None) -> str:
    value = data.get(name)
    if value in (None, "") and default is not None:
        return default
    if value not in choices:
        raise _refuse(name, _("choose one of %(choices)s.") % {"choices": ", ".join(choices)})
    return str(value)


def _amount(data: dict[str, Any], name: str) -> str | None:
    """A non-negative decimal of at most 4 decimals, as text; None when not given."""
    value = data.get(name)
    if value is None or value == "":
        return None
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        raise _refuse(name, _("give a number."))
    try:
        number = Decimal(str(value).strip())
    except InvalidOperation:
        raise _refuse(name, _("%(value)r is not a number.") % {"value": str(value)[:40]}) from None
    if not number.is_finite():
        raise _refuse(name, _("give a finite number."))
    if number < 0:
        raise _refuse(name, _("must not be negative."))
    if number >= AMOUNT_MAX:
        raise _refuse(name, _("must be less than 10^20."))
    if number != number.quantize(Decimal("0.0001")):
        raise _refuse(name, _("at most 4 decimals."))
    return format(number.normalize(), "f")


def _date(data: dict[str, Any], name: str, required: bool = False) -> str | None:
    value = data.get(name)
    if value is None or value == "":
        if required:
            raise _refuse(name, _("This field is required."))
        return None
    if not isinstance(value, str) or len(value) != 10:
        raise _refuse(name, _("give a date, YYYY-MM-DD."))
    try:
        date = datetime.date.fromisoformat(value)
    except ValueError:
        raise _refuse(
            name, _("%(value)s is not a day of the calendar (YYYY-MM-DD).") % {"value": value}
        ) from None
    if not EARLIEST <= date <= LATEST:
        raise _refuse(
            name, _("give a date from %(first)s to %(last)s.") % {"first": EARLIEST, "last": LATEST}
        )
    return value


def _in_order(cleaned: dict[str, Any], names: tuple[str, ...]) -> None:
    """Each given date is on or after the ones before it in `names`."""
    given = [(name, cleaned[name]) for name in names if cleaned[name]]
    for (first, earlier), (second, later) in zip(given, given[1:], strict=False):
        if later < earlier:
            raise _refuse(
                second,
                _("%(later)s is before %(field)s (%(earlier)s).")
                % {"later": later, "field": first, "earlier": earlier},
            )


def _common(data: dict[str, Any], fields: tuple[str, ...]) -> dict[str, Any]:
    """The members both registers share: language, source, TLP level and recipients."""
    if not isinstance(data, dict):
        raise Invalid(_("Give the entry as an object."), {"entry": _("not an object")})
    unknown = sorted(set(data) - set(fields))
    if unknown:
        raise _refuse(unknown[0], _("not a member of this register's entries."))
    level = _choice(data, "tlp", list(tlp.Tlp.values), default=tlp.Tlp.AMBER)
    recipients = data.get("recipients")
    if recipients is None:
        recipients = []
    if not isinstance(recipients, list) or not all(isinstance(code, str) for code in recipients):
        raise _refuse("recipients", _("give a list of organisation codes."))
    if len(recipients) > MAX_RECIPIENTS:
        raise _refuse("recipients", _("at most %(max)s organisations.") % {"max": MAX_RECIPIENTS})
    if recipients and level not in tlp.RESTRICTED:
        raise _refuse(
            "recipients", _("only TLP:AMBER, TLP:AMBER+STRICT and TLP:RED entries name their recipients.")
        )
    codes = sorted(set(recipients))
    known = set(Organisation.objects.filter(code__in=codes).values_list("code", flat=True))
    for code in codes:
        if code not in known:
            raise _refuse("recipients", _("there is no organisation %(code)r.") % {"code": code[:40]})
    return {
        "language": _choice(data, "language", list(Language.values), default=Language.EN),
        "source": _text(data, "source"),
        "tlp": level,
        "recipients": codes,
    }


def clean_investment(data: Any) -> dict[str, Any]:
    """An investment plan as it is stored and signed (decimals as text, dates ISO), or `Invalid` naming
    the first wrong field."""
    cleaned = _common(data, INVESTMENT_FIELDS)
    for name in ("firm", "site"):
        cleaned[name] = _text(data, name, required=True)
    for name in ("technology_node", "capacity_unit", "support_instrument", "support_basis"):
        cleaned[name] = _text(data, name)
    country = data.get("country")
    if not isinstance(country, str) or pycountry.countries.get(alpha_2=country.strip().upper()) is None:
        raise _refuse("country", _("give the site's country as an ISO 3166-1 code, e.g. JP or NL."))
    cleaned["country"] = country.strip().upper()
    for name in ("capacity", "amount", "support_amount"):
        cleaned[name] = _amount(data, name)
    currency = data.get("currency") or ""
    if not isinstance(currency, str) or (
        currency and pycountry.currencies.get(alpha_3=currency.strip().upper()) is None
    ):
        raise _refuse("currency", _("give an ISO 4217 currency code, e.g. JPY or EUR."))
    cleaned["currency"] = currency.strip().upper()
    if cleaned["capacity"] is not None and not cleaned["capacity_unit"]:
        raise _refuse("capacity_unit", _("a capacity needs its unit, e.g. wafers per month."))
    if (cleaned["amount"] is not None or cleaned["support_amount"] is not None) and not cleaned["currency"]:
        raise _refuse("currency", _("an amount needs its currency."))
    for name in ("announced_on", "start_on", "production_on"):
        cleaned[name] = _date(data, name)
    _in_order(cleaned, ("announced_on", "start_on", "production_on"))
    cleaned["status"] = _choice(data, "status", list(InvestmentStatus.values))
    return {name: cleaned[name] for name in INVESTMENT_FIELDS}


def _items(data: dict[str, Any]) -> list[dict[str, str]]:
    items = data.get("items")
    if items is None:
        return []
    if not isinstance(items, list) or len(items) > MAX_ITEMS:
        raise _refuse("items", _("give a list of at most %(max)s control-list entries.") % {"max": MAX_ITEMS})
    found: list[dict[str, str]] = []
    for index, item in enumerate(items):
        place = f"items[{index}]"
        if not isinstance(item, dict) or set(item) != {"list", "entry"}:
            raise _refuse(
                place, _('give an object {"list", "entry"}, e.g. {"list": "wassenaar", "entry": "3B001"}.')
            )
        if item["list"] not in CONTROL_LISTS:
            raise _refuse(
                f"{place}.list", _("choose one of %(choices)s.") % {"choices": ", ".join(CONTROL_LISTS)}
            )
        entry = item["entry"].strip() if isinstance(item["entry"], str) else None
        if entry is None or not CONTROL_LISTS[item["list"]].fullmatch(entry):
            raise _refuse(
                f"{place}.entry",
                _(
                    "%(entry)r is not an entry of the list %(list)s "
                    "(e.g. 3B001, 3B001.f.1; 7(18) in Japan's order)."
                )
                % {"entry": str(item["entry"])[:60], "list": item["list"]},
            )
        pair = {"list": item["list"], "entry": entry}
        if pair in found:
            raise _refuse(f"{place}.entry", _("listed twice."))
        found.append(pair)
    return found


def _hs_codes(data: dict[str, Any]) -> list[str]:
    codes = data.get("hs_codes")
    if codes is None:
        return []
    if not isinstance(codes, list) or len(codes) > MAX_ITEMS:
        raise _refuse("hs_codes", _("give a list of at most %(max)s HS codes.") % {"max": MAX_ITEMS})
    found: list[str] = []
    for index, code in enumerate(codes):
        text = code.strip() if isinstance(code, str) else ""
        if not HS_CODE.fullmatch(text):
            raise _refuse(
                f"hs_codes[{index}]",
                _("%(code)r is not an HS code: 4, 6, 8 or 10 digits, e.g. 8486, 8486.20, 8542.31.00.")
                % {"code": str(code)[:40]},
            )
        digits = text.replace(".", "")
        if digits in found:
            raise _refuse(f"hs_codes[{index}]", _("listed twice."))
        found.append(digits)
    return found


def clean_export_control(data: Any) -> dict[str, Any]:
    """An export-control measure as it is stored and signed, or `Invalid` naming the first wrong field."""
    cleaned = _common(data, EXPORT_CONTROL_FIELDS)
    cleaned["title"] = _text(data, "title", required=True)
    cleaned["legal_basis"] = _text(data, "legal_basis", required=True)
    cleaned["kind"] = _choice(data, "kind", list(MeasureKind.values))
    cleaned["items"] = _items(data)
    cleaned["hs_codes"] = _hs_codes(data)
    if not cleaned["items"] and not cleaned["hs_codes"]:
        raise _refuse("items", _("name the items: control-list entries, HS codes or both."))
    cleaned["adopted_on"] = _date(data, "adopted_on", required=True)
    cleaned["takes_effect"] = _date(data, "takes_effect", required=True)
    cleaned["ends_on"] = _date(data, "ends_on")
    _in_order(cleaned, ("adopted_on", "takes_effect", "ends_on"))
    return {name: cleaned[name] for name in EXPORT_CONTROL_FIELDS}


# --- notification -----------------------------------------------------------------------------------------


def notice_deadline(party_code: str, takes_effect: datetime.date) -> datetime.datetime:
    """The last moment a notice of a measure taking effect on `takes_effect` is on time: the end of that
    day in the notifying party's zone ("before or when it takes effect"), in UTC."""
    zone = zoneinfo.ZoneInfo(PARTY_ZONES.get(party_code, "UTC"))
    end = datetime.datetime.combine(takes_effect + datetime.timedelta(days=1), datetime.time(), zone)
    return end.astimezone(datetime.UTC)


def is_late(
    party_code: str,
    takes_effect: datetime.date,
    signed_at: datetime.datetime,
    received_at: datetime.datetime | None,
) -> bool:
    """Whether a notice signed at `signed_at` (and received at `received_at`, when known) came after the
    day its measure took effect."""
    deadline = notice_deadline(party_code, takes_effect)
    return signed_at > deadline or (received_at is not None and received_at > deadline)


# --- the writes -------------------------------------------------------------------------------------------

MODELS: dict[str, Any] = {
    Register.INVESTMENTS: Investment,
    Register.EXPORT_CONTROLS: ExportControl,
}
CLEANERS: dict[str, Callable[[Any], dict[str, Any]]] = {
    Register.INVESTMENTS: clean_investment,
    Register.EXPORT_CONTROLS: clean_export_control,
}


def _register_of(entry: RegisterEntry) -> str:
    return Register.INVESTMENTS if isinstance(entry, Investment) else Register.EXPORT_CONTROLS


def set_fields(entry: RegisterEntry, cleaned: dict[str, Any]) -> None:
    """Copy a cleaned entry onto the model (recipients are set after it is saved)."""
    for name, value in cleaned.items():
        if name == "recipients":
            continue
        if name.endswith(("_on", "takes_effect")) and value is not None:
            value = datetime.date.fromisoformat(value)
        elif name in ("capacity", "amount", "support_amount") and value is not None:
            value = Decimal(value)
        setattr(entry, name, value)


def record_revision(
    entry: RegisterEntry,
    cleaned: dict[str, Any],
    organisation: Organisation,
    signed_at: datetime.datetime,
    ledger_entry: Any,
    received_at: datetime.datetime | None = None,
) -> RegisterRevision:
    """Keep the revision `entry.revision` (just saved) with its content; for a measure, whether it was
    notified late (its first revision, or one that moved the day it takes effect), and the measure's flags."""
    late = False
    if isinstance(entry, ExportControl):
        previous = (
            entry.revisions.filter(revision__lt=entry.revision).order_by("-revision").first()
            if entry.revision > 1
            else None
        )
        moved = previous is None or previous.content.get("takes_effect") != cleaned["takes_effect"]
        late = moved and is_late(entry.party.code, entry.takes_effect, signed_at, received_at)
        if previous is None:
            entry.notified_at, entry.received_at = signed_at, received_at
        entry.late = entry.late or late
        entry.save(update_fields=["notified_at", "received_at", "late"])
    return RegisterRevision.objects.create(
        investment=entry if isinstance(entry, Investment) else None,
        export_control=entry if isinstance(entry, ExportControl) else None,
        revision=entry.revision,
        organisation=organisation,
        content=cleaned,
        signed_at=signed_at,
        received_at=received_at,
        late=late,
        ledger_entry=ledger_entry,
    )


def _content_of(entry: Any) -> dict[str, Any]:
    """The entry's latest revision as it was signed."""
    latest = entry.revisions.order_by("-revision").first()
    return latest.content if latest is not None else {}


@transaction.atomic
def create(user: User | AnonymousUser | None, register: str, data: Any) -> RegisterEntry:
    """A new entry of the user's party in `register` (investments or export_controls), revision 1,
    signed for the other party."""
    actor = require_write_register(user, require_actor(user).party.pk, None)
    cleaned = CLEANERS[register](data)
    now = timezone.now()
    entry = MODELS[register](
        party=actor.party, organisation=actor.organisation, created_at=now, changed_at=now, revision=1
    )
    return _store(actor, entry, cleaned, now)


def _store(
    actor: Actor, entry: RegisterEntry, cleaned: dict[str, Any], now: datetime.datetime
) -> RegisterEntry:
    set_fields(entry, cleaned)
    entry.save()
    entry.recipients.set(Organisation.objects.filter(code__in=cleaned["recipients"]))
    record = register_records.share(entry, cleaned, actor.organisation, now)
    entry.ledger_entry = record
    entry.save(update_fields=["ledger_entry"])
    signed_at = register_records.signed_time(now)
    record_revision(entry, cleaned, actor.organisation, signed_at, record)
    register = _register_of(entry)
    transaction.on_commit(lambda: notify(register, entry.pk))
    return entry


def _locked(actor: Actor, register: str, uid: Any, community: bool) -> RegisterEntry:
    """The entry `uid` that `actor` may read (NotFound otherwise: an entry hidden by its TLP level is not
    told apart from one that does not exist), locked for the write."""
    try:
        key = uuid.UUID(str(uid))
    except ValueError:
        raise NotFound(_("There is no such register entry.")) from None
    model = MODELS[register]
    found = (
        model.objects.select_for_update(of=("self",))
        .select_related("party", "organisation", "ledger_entry")
        .filter(uid=key)
        .filter(readable(model, actor.organisation.pk, community))
        .first()
    )
    if found is None:
        raise NotFound(_("There is no such register entry."))
    return found


def readable(model: type[Model], organisation_id: int | None, community: bool) -> Any:
    """The entries of `model` the organisation may read, by the one TLP rule (`people.tlp.visible`)."""
    through = model.recipients.through  # type: ignore[attr-defined]
    owner = model.__name__.lower()
    named = (
        Q(Exists(through.objects.filter(**{owner: OuterRef("pk")}, organisation_id=organisation_id)))
        if organisation_id is not None
        else None
    )
    return tlp.visible(organisation_id, community, named, author="organisation")


@transaction.atomic
def revise(
    user: User | AnonymousUser | None, register: str, uid: Any, data: Any, revision: int | None = None
) -> RegisterEntry:
    """A new revision of the entry `uid` with the whole content `data` (what is not given is emptied), if
    anything changed. `revision`, when given, is the one the writer read: another writer's revision in
    between is a Conflict, not silently overwritten."""
    from partnership.people.permissions import register_reader

    actor, community = register_reader(user)
    entry = _locked(actor, register, uid, community)
    require_local_record(entry.signed_by)
    require_write_register(user, entry.party_id, entry.organisation_id)
    if revision is not None and revision != entry.revision:
        raise Conflict(
            _(
                "The entry is at revision %(current)s, not %(given)s: "
                "read it again and make your change there."
            )
            % {"current": entry.revision, "given": revision}
        )
    cleaned = CLEANERS[register](data)
    if cleaned == _content_of(entry):
        return entry
    now = timezone.now()
    entry.revision += 1
    entry.changed_at = now
    return _store(actor, entry, cleaned, now)


def subscribe(user: User | AnonymousUser | None, register: str, on: bool) -> bool:
    """Mail the user (or stop mailing them) each change the other party makes in `register`. Only a
    reader of the registers subscribes (`register_reader`: a platform's or an operator's account reads
    none); anyone who acts for a party may leave."""
    from partnership.people.permissions import register_reader

    actor = register_reader(user)[0] if on else require_actor(user)
    if register not in Register.values:
        raise _refuse("register", _("choose one of %(choices)s.") % {"choices": ", ".join(Register.values)})
    if on:
        RegisterSubscription.objects.get_or_create(user=actor.user, register=register)
    else:
        RegisterSubscription.objects.filter(user=actor.user, register=register).delete()
    return on


def subscriptions(user: User | AnonymousUser | None) -> set[str]:
    """The registers the user is subscribed to."""
    actor = require_actor(user)
    return set(RegisterSubscription.objects.filter(user=actor.user).values_list("register", flat=True))


def notify(register: str, pk: int) -> int:
    """Mail the entry's latest revision to the members of the other party subscribed to `register` who
    may read it now (their access as it stands and the entry's TLP level as it stands: a subscriber who
    became a platform's account, left the partnership or lost the entry's level is skipped), each in
    their language. Returns how many were mailed."""
    from partnership.people.permissions import member_for

    model = MODELS[register]
    entry = model.objects.select_related("party").filter(pk=pk).first()
    if entry is None:
        return 0
    subscribers = (
        User.objects.select_related("membership__organisation__party")
        .filter(
            is_active=True,
            pk__in=RegisterSubscription.objects.filter(register=register).values("user"),
        )
        .exclude(email="")
    )
    sent = 0
    for user in subscribers:
        actor = member_for(user)  # the membership is loaded with the user: no query
        if actor is None or actor.party.pk == entry.party_id:
            continue
        community = actor.role != Membership.Role.STAKEHOLDER
        if not model.objects.filter(pk=pk).filter(readable(model, actor.organisation.pk, community)).exists():
            continue
        with translation.override(user.membership.language):
            subject, body = _message(register, entry)
        # A firm's name is the writer's text: no line break may reach the mail's header.
        try:
            send_mail(" ".join(subject.split()), body, None, [user.email])
        except (OSError, smtplib.SMTPException):
            # The entry is stored and signed already (this runs after the commit): a mail server that
            # is down must not turn the write, or the peer's sync, into an error. The page shows it.
            logger.exception("register notice to %s not sent", user.email)
            continue
        sent += 1
    return sent


def _message(register: str, entry: Any) -> tuple[str, str]:
    """The mail about an entry's revision, in the active language."""
    language = translation.get_language() or "en"
    base = settings.SITE_URL.rstrip("/")
    if register == Register.INVESTMENTS:
        path = f"{base}/{language}/supply-chain/investments/{entry.uid}/"
        subject = _("%(party)s investment register: %(firm)s, %(site)s (revision %(revision)s)") % {
            "party": entry.party.code,
            "firm": entry.firm,
            "site": entry.site,
            "revision": entry.revision,
        }
        body = _("%(party)s has recorded a long-term investment plan (%(tlp)s). Read it at %(url)s") % {
            "party": entry.party.code,
            "tlp": entry.get_tlp_display(),
            "url": path,
        }
        return subject, body
    path = f"{base}/{language}/supply-chain/export-controls/{entry.uid}/"
    subject = _("%(party)s export controls: %(title)s (revision %(revision)s)") % {
        "party": entry.party.code,
        "title": entry.title,
        "revision": entry.revision,
    }
    body = _(
        "%(party)s notifies an export-control measure (%(kind)s, %(tlp)s) that takes effect on %(date)s. "
        "Read it at %(url)s"
    ) % {
        "party": entry.party.code,
        "kind": entry.get_kind_display(),
        "tlp": entry.get_tlp_display(),
        "date": entry.takes_effect.isoformat(),
        "url": path,
    }
    return subject, body

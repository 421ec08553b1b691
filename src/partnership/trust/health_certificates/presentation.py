"""A verification's result as a border officer reads it: a verdict, the holder, each event in words.

The library's `Result` speaks in codes (`comirnaty`, `BE`, `naat`, `dcc.expired`); this turns them into
the reader's language: product names from the value sets (data/vocabulary.json), country names from ISO
3166-1 (`countries`), test types and results in words, the date of birth as a date, and why a certificate
failed as a sentence, the technical step and code kept for a details box. Part of the Django shell (it
uses gettext); the library stays free of it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from django.utils import formats
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _

from . import countries, vocabulary
from .errors import CertificateError
from .messages import EXPLANATIONS, STEP_NAMES
from .model import Certificate, Event, Recovery, Result, Test, Vaccination
from .rules import Decision

FORMAT_NAMES = {
    "eu-dcc": gettext_lazy("EU Digital COVID Certificate"),
    "shc": gettext_lazy("SMART Health Card"),
    "vds-nc": gettext_lazy("ICAO Visible Digital Seal (VDS-NC)"),
}

TEST_TYPES = {
    "naat": gettext_lazy("molecular test (NAAT, e.g. PCR)"),
    "rat": gettext_lazy("rapid antigen test"),
}

TEST_RESULTS = {
    "negative": gettext_lazy("negative"),
    "positive": gettext_lazy("positive"),
}

# The failures a border officer meets most, said more precisely than their step's explanation.
REASONS = {
    "image.no-code": gettext_lazy(
        "No code was found in this image. Take a sharper picture of the whole QR code, or paste its text."
    ),
    "image.unreadable": gettext_lazy("This file cannot be read as a picture. Send a PNG or JPEG image."),
    "unknown-format": gettext_lazy(
        "This is not a certificate this verifier reads: an EU Digital COVID Certificate, a SMART Health "
        "Card or an ICAO VDS-NC seal."
    ),
    "not-text": gettext_lazy("This file is neither a picture nor a certificate's text."),
    "dcc.expired": gettext_lazy("The certificate has expired."),
    "shc.expired": gettext_lazy("The certificate has expired."),
    "dcc.not-yet-valid": gettext_lazy("The certificate is not valid yet."),
    "shc.not-yet-valid": gettext_lazy("The certificate is not valid yet."),
    "vds.signer-expired": gettext_lazy("The certificate of its signer has expired."),
    "vds.signer-not-yet-valid": gettext_lazy("The certificate of its signer is not valid yet."),
    "dcc.revoked": gettext_lazy("The issuer has revoked this certificate."),
    "shc.revoked": gettext_lazy("The issuer has revoked this certificate."),
}

# Verdicts, each with a symbol and words (never colour alone).
VALID, INVALID, UNREADABLE = "valid", "invalid", "unreadable"


@dataclass(frozen=True)
class EventLine:
    """One vaccination, test or recovery, in words."""

    kind: str  # "Vaccination"
    what: str  # "Comirnaty (BioNTech/Pfizer)", "rapid antigen test"
    detail: str  # "dose 2 of 2", "negative"
    when: date | datetime
    country: str  # "Belgium" ("" when the format does not say)
    code: str = ""  # the certificate's own code, when our vocabulary does not know it


@dataclass
class Shown:
    """What the page shows of one result."""

    verdict: str  # VALID | INVALID | UNREADABLE
    headline: str
    format_name: str
    reason: str = ""  # why it is not valid, in the reader's language
    step: str = ""  # the step that failed, in the reader's language
    error: CertificateError | None = None
    holder: str = ""
    date_of_birth: str = ""
    issuer: str = ""
    expires_at: datetime | None = None
    events: list[EventLine] = field(default_factory=list)
    unmapped: list[str] = field(default_factory=list)
    decisions: dict[str, Decision] = field(default_factory=dict)


def language() -> str:
    return "ja" if (get_language() or "en").startswith("ja") else "en"


def partial_date(value: str) -> str:
    """A date as a certificate may write it (YYYY, YYYY-MM or YYYY-MM-DD, e.g. a date of birth) in the
    reader's date style: "12 Apr 1985", "Apr 1985" is written "April 1985", the year alone as is."""
    text = (value or "").strip()
    parts = text[:10].split("-")
    try:
        numbers = [int(part) for part in parts]
        if len(numbers) == 3:
            return formats.date_format(date(*numbers), "DATE_FORMAT")
        if len(numbers) == 2:
            return formats.date_format(date(numbers[0], numbers[1], 1), "YEAR_MONTH_FORMAT")
    except ValueError:
        return text
    return text


def country(code: str) -> str:
    return countries.name(code, language()) if code else ""


def _vaccination(event: Vaccination) -> EventLine:
    product = vocabulary.products().get(event.product)
    dose = _("dose %(dose)s of %(doses)s") % {
        "dose": event.dose if event.dose is not None else "?",
        "doses": event.doses if event.doses is not None else "?",
    }
    return EventLine(
        kind=_("Vaccination"),
        what=product["name"] if product else _("a vaccine this verifier does not know"),
        detail=dose,
        when=event.date,
        country=country(event.country),
        code="" if product else event.product_code,
    )


def _test(event: Test) -> EventLine:
    return EventLine(
        kind=_("Test"),
        what=str(TEST_TYPES.get(event.test_type, _("test of an unknown type"))),
        detail=str(TEST_RESULTS.get(event.result, _("result unknown"))),
        when=event.sampled_at,
        country=country(event.country),
    )


def _recovery(event: Recovery) -> EventLine:
    if event.valid_from and event.valid_until:
        detail = _("recovery valid from %(start)s to %(end)s") % {
            "start": formats.date_format(event.valid_from, "DATE_FORMAT"),
            "end": formats.date_format(event.valid_until, "DATE_FORMAT"),
        }
    else:
        detail = ""
    return EventLine(
        kind=_("Recovery"),
        what=_("first positive test"),
        detail=detail,
        when=event.first_positive,
        country=country(event.country),
    )


def event_line(event: Event) -> EventLine:
    if isinstance(event, Vaccination):
        return _vaccination(event)
    if isinstance(event, Test):
        return _test(event)
    return _recovery(event)


def issuer(certificate: Certificate) -> str:
    """The issuing country's name (DCC, VDS-NC), or the issuer's address (SMART Health Cards)."""
    if certificate.format == "shc" or "/" in certificate.issuer:
        return certificate.issuer
    return country(certificate.issuer)


def show(result: Result, decisions: dict[str, Any] | None = None) -> Shown:
    """`result` in the reader's language: a readable certificate's facts, or why it is refused."""
    name = str(FORMAT_NAMES.get(result.format or "", ""))
    if result.valid and result.certificate is not None:
        certificate = result.certificate
        holder = certificate.holder
        return Shown(
            verdict=VALID,
            headline=_("Valid certificate"),
            format_name=name,
            holder=" ".join(part for part in (holder.given_name, holder.family_name) if part),
            date_of_birth=partial_date(holder.date_of_birth),
            issuer=issuer(certificate),
            expires_at=certificate.expires_at,
            events=[event_line(event) for event in certificate.events],
            unmapped=certificate.unmapped,
            decisions=decisions or {},
        )
    error = result.error
    assert error is not None  # a result is valid or carries its error
    # The command's rule (exit 2): an input in no format this verifier knows is unreadable, not invalid.
    if result.format is None:
        if error.code == "image.no-code":
            headline = _("No code found in this image")
        else:
            headline = _("Nothing to verify was read")
        verdict = UNREADABLE
    else:
        headline, verdict = _("Not valid"), INVALID
    return Shown(
        verdict=verdict,
        headline=headline,
        format_name=name,
        reason=str(REASONS.get(error.code, EXPLANATIONS[error.step])),
        step=str(STEP_NAMES[error.step]),
        error=error,
    )

"""Publishing the report: freezing its data, and reading what was published."""

from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from partnership.errors import Conflict, Invalid, NotFound, PermissionDenied
from partnership.ledger.records import format_time
from partnership.people.permissions import (
    actor_for,
    can_countersign_report,
    can_read_progress,
    require_countersign_report,
    require_publish_report,
)
from partnership.programme.records import sign as sign_record

from ..models import Cycle, PublishedReport, ReportSignature
from ..records import REPORT, REPORT_SIGNATURE, SHA256_HEX, report_content, report_signature_content
from ..services import PHASES
from . import signatures
from .build import PUBLISHABLE_FROM, build_report, sha256_of


def published(year: int) -> PublishedReport | None:
    """The published report of cycle `year`, if any, with its signatures."""
    return (
        PublishedReport.objects.select_related("cycle", "published_by", "party")
        .prefetch_related("signatures__party")
        .filter(cycle__year=year)
        .first()
    )


def report_document(report: PublishedReport) -> dict[str, Any]:
    """The published report's JSON as both nodes serve it: the frozen data, its `sha256` and the parties'
    `signatures` (`signatures.py`), in the order they were made. The SHA-256 is of the data alone."""
    return report.data | {
        "sha256": report.sha256,
        "signatures": [
            {
                "party": signature.party.code,
                "key": signature.key,
                "signature": signature.signature,
                "time": format_time(signature.signed_at),
            }
            for signature in sorted(report.signatures.all(), key=lambda s: (s.signed_at, s.party.code))
        ],
    }


def countersigns_for(user, report: PublishedReport) -> str | None:
    """The party `user` may countersign `report` for now (for the form on its page), or None."""
    actor = actor_for(user)
    if not can_countersign_report(actor, {s.party_id for s in report.signatures.all()}):
        return None
    return actor.party.code if actor else None


def verify_report(document: Any) -> list[dict[str, Any]]:
    """The signatures of a published report's JSON, checked offline against every key this node's ledger
    knows; `signatures.ReportInvalid` with the reason when the document does not hold."""
    from partnership.ledger import services as ledger

    return signatures.verify_document(document, ledger.ledger_keys())


def published_reports() -> list[PublishedReport]:
    """Every published report, newest cycle first."""
    return list(PublishedReport.objects.select_related("cycle").order_by("-cycle__year"))


def report_data(year: int) -> tuple[dict[str, Any], PublishedReport | None]:
    """The published data of cycle `year` when it is published, else the live data, and the report."""
    report = published(year)
    if report is not None:
        return report.data, report
    return build_report(year), None


def publish_report(user, year: int) -> PublishedReport:
    """Freeze the report of cycle `year`: store its data and the SHA-256 of its canonical JSON.

    Only a secretariat publishes, from the stock-take on, and only once: a published report is the
    record the Council relies on and never changes (para 44).
    """
    actor = require_publish_report(user)
    with transaction.atomic():
        # Locked: two secretariats publishing at once store one report; the second gets a Conflict.
        cycle = Cycle.objects.select_for_update().filter(year=year).first()
        if cycle is None:
            raise NotFound(_("There is no cycle %(year)s.") % {"year": year})
        if PHASES.index(cycle.phase) < PHASES.index(PUBLISHABLE_FROM):
            raise Conflict(
                _(
                    "The report of %(year)s can be published from the stock-take on; "
                    "the cycle is at “%(phase)s”."
                )
                % {"year": year, "phase": cycle.get_phase_display()}
            )
        if PublishedReport.objects.filter(cycle=cycle).exists():
            raise Conflict(_("The report of %(year)s is already published.") % {"year": year})
        data = build_report(year)
        sha256, now = sha256_of(data), timezone.now()
        key, signature = signatures.sign(year, sha256, actor.party.code)
        try:
            with transaction.atomic():
                report = PublishedReport.objects.create(
                    cycle=cycle,
                    data=data,
                    sha256=sha256,
                    published_by=actor.user,
                    party=actor.party,
                    published_at=now,
                )
        except IntegrityError:
            raise Conflict(_("The report of %(year)s is already published.") % {"year": year}) from None
        mark = ReportSignature.objects.create(
            report=report,
            party=actor.party,
            key=key,
            signature=signature,
            signed_at=now,
            made_by=actor.user,
        )
        # Shared with the other party's node, which then holds and serves the same document.
        entry = sign_record(
            REPORT, actor.party.code, actor.organisation.code, now, report_content(report, mark)
        )
        PublishedReport.objects.filter(pk=report.pk).update(ledger_entry=entry)
        ReportSignature.objects.filter(pk=mark.pk).update(ledger_entry=entry)
        return report


def countersign_report(user, year: int, sha256: str) -> ReportSignature:
    """Sign the published report of `year` for the user's party, after they read it: `sha256` is the
    SHA-256 they read, refused unless it is the report's. The other party's secretariat does this on its
    own node; the signature is shared with the publisher's node as a `cycle.report_signature` record.
    A party signs once."""
    actor = require_countersign_report(user)
    if not isinstance(sha256, str) or not SHA256_HEX.fullmatch(sha256.strip().lower()):
        message = _("Give the SHA-256 of the report you read: 64 hexadecimal digits.")
        raise Invalid(message, {"sha256": message})
    sha256 = sha256.strip().lower()
    with transaction.atomic():
        # Locked: two countersignatures at once store one; the second is refused.
        report = PublishedReport.objects.select_for_update().filter(cycle__year=year).first()
        if report is None:
            raise NotFound(_("The report of %(year)s is not published.") % {"year": year})
        if report.sha256 != sha256:
            message = _(
                "You read a report with SHA-256 %(read)s, but the published report of %(year)s has SHA-256 "
                "%(held)s: read the published report again before you sign it."
            ) % {"read": sha256, "year": year, "held": report.sha256}
            raise Invalid(message, {"sha256": message})
        if ReportSignature.objects.filter(report=report, party=actor.party).exists():
            raise Conflict(
                _("%(party)s has already signed the report of %(year)s.")
                % {"party": actor.party.code, "year": year}
            )
        now = timezone.now()
        key, signature = signatures.sign(year, sha256, actor.party.code)
        mark = ReportSignature.objects.create(
            report=report,
            party=actor.party,
            key=key,
            signature=signature,
            signed_at=now,
            made_by=actor.user,
        )
        entry = sign_record(
            REPORT_SIGNATURE,
            actor.party.code,
            actor.organisation.code,
            now,
            report_signature_content(report, mark),
        )
        ReportSignature.objects.filter(pk=mark.pk).update(ledger_entry=entry)
        mark.ledger_entry = entry
        return mark


def require_live_report_reader(user) -> None:
    """The live (unpublished) report is for the partnership's members only."""
    if not can_read_progress(user):
        raise PermissionDenied(_("The report is for the partnership's members until it is published."))


def public_progress() -> dict[str, Any]:
    """The public progress page's data: the latest published report's areas, actions and statuses."""
    latest = PublishedReport.objects.select_related("cycle").order_by("-cycle__year").first()
    if latest is None:
        return {"report": None}
    data = latest.data
    counts = {row["area"]: row["counts"] for row in data["summary"]["by_area"]}
    return {
        "report": latest,
        "year": data["cycle"]["year"],
        "parties": data["parties"],
        "statuses": data["statuses"],
        "areas": [
            area
            | {
                "counts": [(party, counts[area["code"]][party["code"]]) for party in data["parties"]],
                "rows": [
                    (action, [action["parties"].get(party["code"]) for party in data["parties"]])
                    for action in area["actions"]
                ],
            }
            for area in data["areas"]
        ],
    }

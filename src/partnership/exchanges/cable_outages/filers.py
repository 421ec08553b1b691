"""Responsible-filer designations (para 61; FCC 47 CFR 4.15: one Responsible Licensee files for a
consortium) as signed records shared with the other party. The writes are `services.designate_filer`
and `services.revoke_filer`; the rule of who may is in `people.permissions`.

A designation concerns both parties: the consortium's co-owners may be the other party's operators, and
they read the filer's reports on their own node; and the other party's operators must not report on a
cable another operator files for. So each designation, each change of it and its revocation is a
signed record, `cable_outages.filer`, replicated through the ledger like an outage report:

content `{"uid", "revision", "cable", "cable_name", "organisation", "co_owners", "revoked"}`:
`organisation` the filer (an operator of the signing party), `co_owners` the operators (of either
party) who read its reports, `revoked` true once the secretariat withdrew it. Not confidential (who
files for a consortium is what its operators and both secretariats must know), so not sealed; its
content is read by those who read outage reports (`people.permissions.can_read_outages`).

A party's own reporting profile is not shared: each report carries the stages it was filed under, and
the other node computes the report's deadlines from those (`outages.apply_outage`).
"""

from __future__ import annotations

import uuid
from typing import Any

from django.db import transaction
from django.utils.translation import gettext_noop

from partnership.ledger import services as ledger_services
from partnership.ledger.records import SignedRecord, format_time
from partnership.ledger.registry import RecordRejected
from partnership.peer_records import (
    author_organisation,
    author_party,
    content_of,
    held_by_peer,
    integer_of,
    party_organisation,
    record_time,
    uid_of,
)
from partnership.people.models import Organisation

from .models import Cable, ResponsibleFiler

FILER = "cable_outages.filer"
#: The namespace of designations' uids: one designation per designating party and cable.
NAMESPACE = uuid.UUID("5f0c3d52-7a61-4c1e-9d0b-2f64a1c8e417")
MAX_CO_OWNERS = 100


def designation_uid(party_code: str, cable_slug: str) -> uuid.UUID:
    """The stable uid of `party_code`'s designation for the cable `cable_slug` (both nodes derive it)."""
    return uuid.uuid5(NAMESPACE, f"{party_code}:{cable_slug}")


def designation_content(designation: ResponsibleFiler) -> dict[str, Any]:
    """The designation as its record carries it."""
    return {
        "uid": str(designation.uid),
        "revision": designation.revision,
        "cable": designation.cable_slug,
        "cable_name": designation.cable_name,
        "organisation": designation.organisation.code,
        "co_owners": sorted(org.code for org in designation.co_owners.all()),
        "revoked": designation.revoked_at is not None,
    }


def share(designation: ResponsibleFiler, author_organisation: Organisation) -> Any:
    """Sign the designation's latest revision (inside the write's transaction), in the clear."""
    moment = designation.revoked_at or designation.designated_at
    return ledger_services.append(
        SignedRecord(
            FILER,
            designation.party.code,
            author_organisation.code,
            format_time(moment),
            designation_content(designation),
        )
    )


def _operator(code: Any, what: str) -> Organisation:
    organisation = Organisation.objects.filter(code=code).first() if isinstance(code, str) else None
    if organisation is None or organisation.kind != Organisation.Kind.OPERATOR:
        raise RecordRejected(
            gettext_noop("%(what)s %(code)r is not a cable operator on this node"), what=what, code=code
        )
    return organisation


def apply_filer(record: SignedRecord, entry_log: Any) -> None:
    """A peer's designation (a new revision of it, or its revocation), kept here read-only. Checked as
    this node's own are: the filer an operator of the signing party, every co-owner an operator known
    here, the uid the one derived from the party and the cable, no other party's designation in force
    for the cable. A revision not newer than the one held changes nothing."""
    content = content_of(
        record, ("uid", "revision", "cable", "cable_name", "organisation", "co_owners", "revoked")
    )
    uid = uid_of(content)
    revision = integer_of(content, "revision", 1)
    party = author_party(record)
    author = author_organisation(record)
    if author.kind != Organisation.Kind.SECRETARIAT:
        # Only a party's secretariat designates, changes or revokes (`can_manage_outage_reporting`).
        raise RecordRejected(
            gettext_noop("%(type)s: %(code)s is not a party's secretariat; only a secretariat designates"),
            type=record.type,
            code=author.code,
        )
    slug, name = content["cable"], content["cable_name"]
    if not isinstance(slug, str) or not 0 < len(slug) <= 200 or not isinstance(name, str):
        raise RecordRejected(gettext_noop("%(type)s: cable: not a cable id"), type=record.type)
    if uid != designation_uid(party.code, slug):
        raise RecordRejected(
            gettext_noop("%(type)s: uid %(uid)s is not the designation of %(party)s for %(cable)s"),
            type=record.type,
            uid=str(uid),
            party=party.code,
            cable=slug,
        )
    if not isinstance(content["revoked"], bool):
        raise RecordRejected(gettext_noop("%(type)s: revoked is not true or false"), type=record.type)
    filer = party_organisation(party, content["organisation"], gettext_noop("the responsible filer"))
    if filer.kind != Organisation.Kind.OPERATOR:
        raise RecordRejected(
            gettext_noop("%(what)s %(code)r is not a cable operator on this node"),
            what=gettext_noop("the responsible filer"),
            code=filer.code,
        )
    codes = content["co_owners"]
    if not isinstance(codes, list) or len(codes) > MAX_CO_OWNERS or len(set(map(str, codes))) != len(codes):
        raise RecordRejected(gettext_noop("%(type)s: co_owners is not a list of codes"), type=record.type)
    co_owners = [_operator(code, gettext_noop("co-owner")) for code in codes]
    held = ResponsibleFiler.objects.select_related("ledger_entry").filter(uid=uid).first()
    if held is not None:
        held_by_peer(held, entry_log, "designation")
        if held.revision >= revision:
            return
    if not content["revoked"]:
        other = (
            ResponsibleFiler.objects.filter(cable_slug=slug, revoked_at__isnull=True)
            .exclude(uid=uid)
            .select_related("party")
            .first()
        )
        if other is not None:
            raise RecordRejected(
                gettext_noop("%(type)s: %(cable)s has a responsible filer designated by %(party)s already"),
                type=record.type,
                cable=slug,
                party=other.party.code,
            )
    moment = record_time(record)
    with transaction.atomic():
        designation = held or ResponsibleFiler(uid=uid, party=party, designated_at=moment)
        designation.cable = Cable.objects.filter(slug=slug).first()
        designation.cable_slug, designation.cable_name = slug, name[:300]
        designation.organisation, designation.revision = filer, revision
        designation.designated_by, designation.ledger_entry = None, entry_log
        if content["revoked"]:
            designation.revoked_at = moment
        else:
            designation.revoked_at, designation.designated_at = None, moment
        designation.save()
        designation.co_owners.set(co_owners)

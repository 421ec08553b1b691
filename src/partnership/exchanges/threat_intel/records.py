"""What the TAXII server shares with the other party's node through the ledger, and how it applies there.

Two nodes, one per party (DESIGN.md): JP-ISAC posts to the JP node, EU-ISAC reads from the EU node,
and neither side depends on a server the other controls. So each object version that an organisation
of a peer's party may read (the TLP rule of sharing.py, over the collection's grants to that party)
travels to that party's node as a signed ledger record, in the transaction that stores it:

- `threat_intel.objects`: content `{"api_root", "collection", "to", "sealed"}`. `sealed` (ledger
  sealing: only the `to` party's node can open it; the log itself is public) holds
  `{"collection": {"title", "description", "default_tlp", "allow_custom"}, "grants": [{"organisation"
  | "party", "community"}], "objects": [{"body", "tlp", "recipients"}]}`: the versions that party's
  organisations may read, each as stored here (the JSON text, its TLP level and named recipients), and
  the read grants of that party's organisations. The record's organisation is the author organisation.
  At most CHUNK_BYTES of objects per record.
- `threat_intel.deletion`: content `{"api_root", "collection", "to", "sealed"}`, `sealed` holding
  `{"stix_id", "versions"}`: versions the author withdrew (TAXII DELETE) that the party had received.
- After a collection's grants change (`share_collection`), `threat_intel.objects` records again:
  every version the party may now read (the receiving node keeps what it holds), and the party's
  grants as they now are; with nothing to read, one record of the grants alone (organisation "").

On the receiving node, the applier keeps a read-only copy of the collection (same UUID, in the author
party's API root, `Collection.peer` = that party): the objects are checked again as STIX, stored with
the author, TLP and recipients the record states, and served under the same TLP rule to the grants
the record carries. Appliers are idempotent: a version already held is a duplicate; a different
object under a held id and version, or a version of an object that another organisation created
(STIX 2.1, 3.6: `services.store`), refuses the record. Bodies are read as I-JSON, as a TAXII POST's.
Nothing is sent for a party without a configured peer node: on the embedded single node every party
reads the one server.
"""

from __future__ import annotations

import datetime
import json
import uuid
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_noop

from partnership.inputs import JsonInputError, load_json
from partnership.ledger import services as ledger_services
from partnership.ledger.peers import configured_peers
from partnership.ledger.records import SignedRecord, format_time
from partnership.ledger.registry import RecordRejected
from partnership.ledger.sealing import SealError
from partnership.peer_records import author_organisation
from partnership.people.models import Organisation, Party

from . import services, sharing
from .models import ApiRoot, Collection, CollectionGrant, ObjectRecipient, ObjectVersion, Tlp
from .stix import InvalidObject, check, format_timestamp, parse_timestamp

if TYPE_CHECKING:
    from partnership.ledger.models import LogEntry

OBJECTS = "threat_intel.objects"
DELETION = "threat_intel.deletion"
#: JSON text of objects per record, so that a record (and a page of the log) stays of a sane size.
CHUNK_BYTES = 4 * 1024 * 1024


# --- authoring ------------------------------------------------------------------------------------


def _peer_parties(collection: Collection) -> list[tuple[str, list[int], bool, list[dict[str, Any]]]]:
    """For each configured peer's party: (party code, its organisations that may read the collection,
    whether any reads TLP:GREEN, their grants as records carry them); none for a copy of a peer's."""
    peers = set(configured_peers())
    if not peers or collection.peer:
        return []
    found = []
    grants = CollectionGrant.objects.filter(collection=collection, can_read=True).select_related(
        "organisation__party", "party"
    )
    for code in sorted(peers):
        readers: set[int] = set()
        community = False
        described = []
        for grant in grants:
            if grant.organisation is not None and _party_code(grant.organisation) == code:
                readers.add(grant.organisation.pk)
                described.append({"organisation": grant.organisation.code, "community": grant.community})
            elif grant.party is not None and grant.party.code == code:
                readers.update(Organisation.objects.filter(party=grant.party).values_list("pk", flat=True))
                described.append({"party": code, "community": grant.community})
            else:
                continue
            community = community or grant.community
        found.append((code, sorted(readers), community, described))
    return found


def share_added(
    collection: Collection, author: Organisation, first: datetime.datetime, last: datetime.datetime
) -> None:
    """Sign the versions just stored in `collection` (date_added from `first` to `last`) that a peer
    party may read into the ledger, sealed to that party's node; call inside the storing transaction."""
    for party, readers, community, grants in _peer_parties(collection):
        if readers:
            rows = ObjectVersion.objects.filter(
                collection=collection, date_added__gte=first, date_added__lte=last
            ).filter(sharing.visible_to_any(readers, community))
            _sign(collection, party, grants, rows, grants_alone=False)


def share_collection(collection: Collection) -> None:
    """After the grants of `collection` changed: send each peer party its grants now and every version
    it may now read. The receiving node keeps what it holds (a duplicate changes nothing), takes the
    new grants, and drops those no longer given."""
    for party, readers, community, grants in _peer_parties(collection):
        rows = ObjectVersion.objects.filter(collection=collection)
        rows = rows.filter(sharing.visible_to_any(readers, community)) if readers else rows.none()
        _sign(collection, party, grants, rows, grants_alone=True)


def _sign(
    collection: Collection,
    party: str,
    grants: list[dict[str, Any]],
    rows: QuerySet[ObjectVersion],
    grants_alone: bool,
) -> None:
    """Sign `rows` for `party`'s node: one series of records per author organisation, at most
    CHUNK_BYTES of objects each; when there are no rows, a record of the grants alone if
    `grants_alone`, else nothing."""
    if settings.NODE_PARTY:
        # A node speaks only for its own party: the peer refuses (and stops syncing) a log holding
        # another party's records. What an organisation of another party wrote here stays here.
        rows = rows.filter(author_organisation__party__code=settings.NODE_PARTY)
    found = list(
        rows.order_by("author_organisation_id", "date_added", "id").values_list(
            "pk", "body", "tlp", "author_organisation__code", "author_organisation__party__code"
        )
    )
    named: dict[int, list[str]] = {}
    for start in range(0, len(found), 1000):
        for version_id, code in ObjectRecipient.objects.filter(
            version_id__in=[row[0] for row in found[start : start + 1000]]
        ).values_list("version_id", "organisation__code"):
            named.setdefault(version_id, []).append(code)
    # (author organisation, its party, rows): a record names one author and holds at most CHUNK_BYTES.
    batches: list[tuple[str, str, list[tuple]]] = []
    size = 0
    for row in found:
        if not batches or batches[-1][:2] != row[3:] or size + len(row[1]) > CHUNK_BYTES:
            batches.append((row[3], row[4], []))
            size = 0
        batches[-1][2].append(row)
        size += len(row[1])
    if not batches:
        if not grants_alone:
            return
        batches.append(("", ledger_services.origin(), []))  # the grants alone, from this node's party
    about = {
        "title": collection.title,
        "description": collection.description,
        "default_tlp": collection.default_tlp,
        "allow_custom": collection.allow_custom,
    }
    now = format_time(timezone.now())
    records, carried = [], []
    for organisation, author_party, batch in batches:
        payload = {
            "collection": about,
            "grants": grants,
            "objects": [
                {"body": row[1], "tlp": row[2], "recipients": sorted(named.get(row[0], []))} for row in batch
            ],
        }
        records.append(
            SignedRecord(OBJECTS, author_party, organisation, now, _content(collection, party, payload))
        )
        carried.append([row[0] for row in batch])
    entries = ledger_services.append_many(records)
    for pks, entry in zip(carried, entries, strict=True):
        for start in range(0, len(pks), 1000):
            ObjectVersion.objects.filter(pk__in=pks[start : start + 1000]).update(ledger_entry=entry)


def _party_code(organisation: Organisation) -> str:
    """The code of the organisation's party; "" for a joint body of no party (a mechanism)."""
    return organisation.party.code if organisation.party is not None else ""


def share_deleted(collection: Collection, author: Organisation, stix_id: str, pks: list[int]) -> None:
    """Before the versions `pks` of `stix_id` are deleted: tell each peer party that received any."""
    if settings.NODE_PARTY and _party_code(author) != settings.NODE_PARTY:
        return  # it was never shared: this node signs only its own party's records (see _sign)
    for party, readers, community, _grants in _peer_parties(collection):
        if not readers:
            continue
        versions = sorted(
            {
                format_timestamp(version)
                for version in ObjectVersion.objects.filter(pk__in=pks)
                .filter(sharing.visible_to_any(readers, community))
                .values_list("version", flat=True)
            }
        )
        if not versions:
            continue
        content = _content(collection, party, {"stix_id": stix_id, "versions": versions})
        ledger_services.append(
            SignedRecord(DELETION, _party_code(author), author.code, format_time(timezone.now()), content)
        )


def _content(collection: Collection, party: str, payload: dict[str, Any]) -> dict[str, Any]:
    """A record's content: the collection, the party it is for, and `payload` sealed to that party's node."""
    return {
        "api_root": collection.api_root.slug,
        "collection": str(collection.pk),
        "to": party,
        "sealed": ledger_services.seal_for(party, json.dumps(payload, ensure_ascii=False).encode()),
    }


# --- applying a peer's records --------------------------------------------------------------------------


def _opened(record: SignedRecord) -> tuple[dict[str, Any] | None, dict[str, Any]]:
    """(the sealed payload, the content) of a record for this node; (None, content) for another party's."""
    content = record.content
    if not isinstance(content, dict) or not all(
        isinstance(content.get(name), str) for name in ("api_root", "collection", "to")
    ):
        raise RecordRejected(
            gettext_noop("%(type)s: the content lacks api_root, collection or to"), type=record.type
        )
    if content["to"] != settings.NODE_PARTY:
        return None, content
    try:
        uuid.UUID(content["collection"])
        payload = load_json(ledger_services.open_sealed(content.get("sealed")))
    except SealError as exc:
        raise RecordRejected(
            gettext_noop("%(type)s: %(reason)s"), type=record.type, reason=str(exc)
        ) from None
    except JsonInputError as exc:
        raise RecordRejected(
            gettext_noop("%(type)s: the sealed content: %(reason)s"), type=record.type, reason=exc.message
        ) from None
    except ValueError:
        raise RecordRejected(
            gettext_noop("%(type)s: the collection is not a UUID or the sealed content is not JSON"),
            type=record.type,
        ) from None
    if not isinstance(payload, dict):
        raise RecordRejected(
            gettext_noop("%(type)s: the sealed content is not a JSON object"), type=record.type
        )
    return payload, content


def apply_objects(record: SignedRecord, entry: LogEntry) -> None:
    """A peer's shared object versions, into this node's read-only copy of its collection, and the
    grants it gives this node's party (exactly those: a grant it no longer gives goes)."""
    payload, content = _opened(record)
    if payload is None:
        return
    about, grants, objects = payload.get("collection"), payload.get("grants"), payload.get("objects")
    if not isinstance(about, dict) or not isinstance(grants, list) or not isinstance(objects, list):
        raise RecordRejected(
            gettext_noop("%(type)s: the sealed content lacks collection, grants or objects"), type=record.type
        )
    if not objects and not Collection.objects.filter(pk=content["collection"]).exists() and not grants:
        return  # nothing shared with this party, nothing held of it
    author = author_organisation(record) if objects else None
    collection = _copy_of(record, content, about)
    _copy_grants(collection, grants)
    if author is None:
        return
    prepared, codes = [], set()
    for number, item in enumerate(objects, 1):
        try:
            if not isinstance(item, dict) or not isinstance(item.get("body"), str):
                raise InvalidObject("no body")
            # The same I-JSON rule as a TAXII body: a peer's object with NaN, NUL or runaway nesting
            # would not be stored (NUL on PostgreSQL) or served as JSON here.
            stix_object = load_json(item["body"])
            created, modified = check(stix_object, collection.allow_custom)
            recipients = item.get("recipients")
            if item.get("tlp") not in Tlp.values or not isinstance(recipients, list):
                raise InvalidObject("no valid tlp or recipients")
            if not all(isinstance(code, str) for code in recipients):
                raise InvalidObject("recipients must be organisation codes")
        except (InvalidObject, JsonInputError) as exc:
            raise RecordRejected(
                gettext_noop("%(type)s: object %(number)s: %(reason)s"),
                type=record.type,
                number=number,
                reason=str(exc),
            ) from None
        codes.update(recipients)
        prepared.append(
            services.Prepared.of(
                stix_object, created, modified, item["body"], item["tlp"], sorted(set(recipients))
            )
        )
    organisations = dict(Organisation.objects.filter(code__in=codes).values_list("code", "pk"))
    unknown = sorted(codes - set(organisations))
    if unknown:
        raise RecordRejected(
            gettext_noop("%(type)s: recipients not known on this node: %(codes)s"),
            type=record.type,
            codes=", ".join(unknown),
        )
    Collection.objects.select_for_update().filter(pk=collection.pk).first()
    outcome = services.store(
        collection, author.pk, None, prepared, organisations, timezone.now(), ledger_entry_id=entry.pk
    )
    if outcome.others:
        # STIX 2.1, 3.6: only an object's creator versions it. The peer's node enforces this for its
        # own writers; a record that breaks it (a node that does not, or that lies) changes nothing
        # here, whichever organisation created the object.
        stix_id = min(outcome.others)
        creator = Organisation.objects.filter(pk=outcome.others[stix_id]).values_list("code", flat=True)
        raise RecordRejected(
            gettext_noop(
                "%(type)s: %(id)s was created by %(creator)s; %(organisation)s may not add versions of it"
            ),
            type=record.type,
            id=stix_id,
            creator=creator.first() or "?",
            organisation=author.code,
        )
    if outcome.clashes:
        raise RecordRejected(
            gettext_noop("%(type)s: %(id)s differs from the version held here"),
            type=record.type,
            id=outcome.clashes[0][0].stix_id,
        )


def _copy_of(record: SignedRecord, content: dict[str, Any], about: dict[str, Any]) -> Collection:
    services.ensure_api_roots()
    root = ApiRoot.objects.filter(party__code=record.party).first()
    if root is None:
        raise RecordRejected(gettext_noop("party %(party)s has no API root on this node"), party=record.party)
    if about.get("default_tlp") not in Tlp.values or not isinstance(about.get("allow_custom"), bool):
        raise RecordRejected(
            gettext_noop("%(type)s: the collection has no valid default_tlp or allow_custom"),
            type=record.type,
        )
    fields = {
        "title": str(about.get("title", ""))[:200] or content["collection"],
        "description": str(about.get("description", "")),
        "default_tlp": about["default_tlp"],
        "allow_custom": about["allow_custom"],
    }
    collection, created = Collection.objects.get_or_create(
        pk=content["collection"], defaults={"api_root": root, "peer": record.party, **fields}
    )
    if collection.peer != record.party or collection.api_root_id != root.pk:
        raise RecordRejected(
            gettext_noop("collection %(id)s here is not kept by %(party)s"),
            id=str(collection.pk),
            party=record.party,
        )
    if not created:
        Collection.objects.filter(pk=collection.pk).update(**fields)
    return collection


def _copy_grants(collection: Collection, grants: list[Any]) -> None:
    """Exactly the read grants the author's node gives this node's party (never write: the copy is
    read-only)."""
    own = Party.objects.filter(code=settings.NODE_PARTY).first()
    kept = []
    for grant in grants:
        if not isinstance(grant, dict) or not isinstance(grant.get("community"), bool):
            raise RecordRejected(
                gettext_noop("grant %(grant)s: community must be true or false"), grant=json.dumps(grant)
            )
        if grant.get("party") is not None:
            grantee: Organisation | Party | None = own if grant["party"] == settings.NODE_PARTY else None
        else:
            grantee = Organisation.objects.filter(code=grant.get("organisation"), party=own).first()
        if grantee is None:
            raise RecordRejected(
                gettext_noop("grant %(grant)s names nobody of this node's party"), grant=json.dumps(grant)
            )
        kept.append(
            services.grant(
                collection, grantee, can_read=True, can_write=False, community=grant["community"]
            ).pk
        )
    CollectionGrant.objects.filter(collection=collection).exclude(pk__in=kept).delete()


def apply_deletion(record: SignedRecord, entry: LogEntry) -> None:
    """Versions a peer's organisation withdrew, gone from this node's copy too."""
    payload, content = _opened(record)
    if payload is None:
        return
    author = author_organisation(record)
    stix_id, versions = payload.get("stix_id"), payload.get("versions")
    if not isinstance(stix_id, str) or not isinstance(versions, list):
        raise RecordRejected(
            gettext_noop("%(type)s: the sealed content lacks stix_id or versions"), type=record.type
        )
    try:
        moments = [parse_timestamp(text) for text in versions]
    except (TypeError, ValueError) as exc:
        raise RecordRejected(
            gettext_noop("%(type)s: %(reason)s"), type=record.type, reason=str(exc)
        ) from None
    collection = Collection.objects.filter(pk=content["collection"], peer=record.party).first()
    if collection is None:
        return  # nothing of it was ever received here
    Collection.objects.select_for_update().filter(pk=collection.pk).first()
    ObjectVersion.objects.filter(
        Q(version__in=moments), collection=collection, stix_id=stix_id, author_organisation=author
    ).delete()
    services.refresh_flags(collection, [stix_id])

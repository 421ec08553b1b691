"""The rules of the TAXII server that change state: API roots, collections and grants, adding objects
(STIX validation, TLP, recipients, versions) and deleting them. Views and commands call these."""

from __future__ import annotations

import datetime
import functools
import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Case, Max, OuterRef, Q, QuerySet, Subquery, Value, When
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from partnership.errors import Invalid, NotFound, PermissionDenied
from partnership.inputs import check_text
from partnership.people.models import Organisation, Party
from partnership.people.permissions import require_manage_collections

from . import parallel, queries, records, sharing
from .models import ApiRoot, Collection, CollectionGrant, ObjectRecipient, ObjectVersion, Status, Tlp
from .stix import InvalidObject, check, format_timestamp

#: Status resources are kept this long (TAXII 2.1 asks for at least 24 hours).
STATUS_RETENTION = datetime.timedelta(days=7)
_CHUNK = 500


def ensure_api_roots() -> bool:
    """Create the API root of every party that has none (`/taxii2/jp/`, `/taxii2/eu/`); True if any was."""
    created = False
    for party in Party.objects.filter(~Q(pk__in=ApiRoot.objects.filter(party__isnull=False).values("party"))):
        _root, new = ApiRoot.objects.get_or_create(
            slug=party.code.lower(),
            defaults={
                "party": party,
                "title": f"{party.name_en} ISAC community",
                "description": f"Threat intelligence shared by and with {party.name_en}'s ISACs (para 54).",
                "max_content_length": settings.MAX_UPLOAD_BYTES,
            },
        )
        created = created or new
    return created


def create_collection(
    api_root: ApiRoot,
    title: str,
    *,
    description: str = "",
    default_tlp: str = Tlp.AMBER,
    allow_custom: bool = False,
    max_content_length: int | None = None,
) -> Collection:
    """A new collection in `api_root`; nobody may use it until `grant` says so. For setup code (demo,
    admin) that has checked who asks."""
    return Collection.objects.create(
        api_root=api_root,
        title=title,
        description=description,
        default_tlp=Tlp(default_tlp),
        allow_custom=allow_custom,
        max_content_length=max_content_length,
    )


def grant(
    collection: Collection,
    grantee: Organisation | Party,
    *,
    can_read: bool = True,
    can_write: bool = False,
    community: bool = True,
) -> CollectionGrant:
    """Let an organisation, or every organisation of a party, read and/or write `collection`.

    `community`: the grantee reads TLP:GREEN; a guest (False) reads TLP:CLEAR only.
    """
    key = {"organisation": grantee} if isinstance(grantee, Organisation) else {"party": grantee}
    with transaction.atomic():
        found, _created = CollectionGrant.objects.update_or_create(
            collection=collection,
            **key,
            defaults={"can_read": can_read, "can_write": can_write, "community": community},
        )
        grants_changed(collection)
    return found


def _flag(data: Mapping[str, Any], field: str, default: bool) -> bool:
    value = data.get(field, default)
    if not isinstance(value, bool):
        raise Invalid(_("%(field)s: give true or false.") % {"field": field}, {field: _("not true or false")})
    return value


def open_collection(user: Any, root_slug: str, data: Mapping[str, Any]) -> Collection:
    """A new collection in a party's API root, by that party's secretariat (para 54); no grant yet."""
    root = queries.api_root(root_slug)
    require_manage_collections(user, root.party_id)
    title = data.get("title")
    if not isinstance(title, str) or not title.strip() or len(title) > 200:
        raise Invalid(_("title: give a title of 1 to 200 characters."), {"title": _("1 to 200 characters")})
    description = data.get("description", "")
    if not isinstance(description, str) or len(description) > 5000:
        raise Invalid(_("description: at most 5,000 characters."), {"description": _("too long")})
    tlp = data.get("default_tlp", Tlp.AMBER)
    if tlp not in Tlp.values:
        raise Invalid(
            _("default_tlp: choose one of %(levels)s.") % {"levels": ", ".join(Tlp.values)},
            {"default_tlp": str(tlp)[:40]},
        )
    return create_collection(
        root,
        check_text(title.strip(), "title"),
        description=check_text(description, "description"),
        default_tlp=tlp,
        allow_custom=_flag(data, "allow_custom", False),
    )


def managed_collection(user: Any, collection_id: str) -> Collection:
    """A collection kept on this node whose grants `user` may change (its API root's party's secretariat)."""
    found = queries.collection_by_id(collection_id)
    require_manage_collections(user, found.api_root.party_id)
    if found.peer:
        raise PermissionDenied(
            _("This collection is a read-only copy of one kept by the %(party)s node.")
            % {"party": found.peer}
        )
    return found


def set_grant(user: Any, collection_id: str, data: Mapping[str, Any]) -> CollectionGrant:
    """Let an organisation (`organisation`: its code) or a whole party (`party`: its code) read and/or
    write a collection; the same grantee again replaces its grant. Reaches the peer's copy (records.py)."""
    collection = managed_collection(user, collection_id)
    organisation, party = data.get("organisation"), data.get("party")
    if (organisation is None) == (party is None):
        message = _("Give either organisation or party, the code of who is granted.")
        raise Invalid(message, {"organisation": message})
    grantee: Organisation | Party
    if organisation is not None:
        found = Organisation.objects.filter(code=str(organisation)).select_related("party").first()
        if found is None:
            raise Invalid(
                _("organisation: no organisation %(code)s.") % {"code": str(organisation)[:80]},
                {"organisation": _("unknown")},
            )
        grantee = found
    else:
        found_party = Party.objects.filter(code=str(party)).first()
        if found_party is None:
            raise Invalid(_("party: no party %(code)s.") % {"code": str(party)[:80]}, {"party": _("unknown")})
        grantee = found_party
    return grant(
        collection,
        grantee,
        can_read=_flag(data, "can_read", True),
        can_write=_flag(data, "can_write", False),
        community=_flag(data, "community", True),
    )


def grants_changed(collection: Collection) -> None:
    """After the grants of a collection kept here changed (here or in the admin): each peer party's
    node gets its grants now and what they let it read (records.share_collection)."""
    records.share_collection(collection)


@dataclass
class Prepared:
    """An object that passed every check, ready to store (here, or from a peer's record: records.py)."""

    stix_id: str
    type: str
    spec_version: str
    version: datetime.datetime | None  # None: an observable, versioned by its date_added
    created: datetime.datetime | None
    modified: datetime.datetime | None
    body: str
    parsed: dict[str, Any]
    tlp: str
    recipients: list[str]

    @classmethod
    def of(
        cls,
        stix_object: dict[str, Any],
        created: datetime.datetime | None,
        modified: datetime.datetime | None,
        body: str,
        tlp: str,
        recipients: list[str],
    ) -> Prepared:
        """A checked object (`stix.check` gave `created` and `modified`) with its JSON text and sharing."""
        return cls(
            stix_id=stix_object["id"],
            type=stix_object["type"],
            spec_version=stix_object.get("spec_version", "2.1"),
            version=modified or created,
            created=created,
            modified=modified,
            body=body,
            parsed=stix_object,
            tlp=tlp,
            recipients=recipients,
        )


def _detail(stix_object: Any, message: str = "") -> dict[str, str]:
    detail = {"id": "", "version": ""}
    if isinstance(stix_object, dict):
        detail["id"] = str(stix_object.get("id", ""))[:300]
        detail["version"] = str(stix_object.get("modified", stix_object.get("created", "")))[:40]
    if message:
        detail["message"] = message
    return detail


def _prepare(stix_object: Any, collection: Collection, known_markings: set[str]) -> Prepared:
    created, modified = check(stix_object, collection.allow_custom)
    try:
        tlp = sharing.tlp_of(stix_object, collection.default_tlp, known_markings)
        recipients = sharing.recipient_codes(stix_object)
    except sharing.MarkingError as error:
        raise InvalidObject(str(error)) from error
    body = json.dumps(stix_object, ensure_ascii=False, separators=(",", ":"))
    return Prepared.of(stix_object, created, modified, body, tlp, recipients)


#: Objects per chunk of an envelope's checks (parallel.py): small enough to share the work evenly,
#: large enough that sending a chunk to a helper costs little beside checking it.
_CHECK_CHUNK = 250


def _prepare_all(
    objects: list[Any], collection: Collection, known_markings: set[str]
) -> list[Prepared | str]:
    """`_prepare` of each object, in order: the Prepared object, or why it is refused. A large envelope
    is checked by helper processes and this thread together (parallel.py), on every core."""
    check_chunk = functools.partial(
        _prepare_chunk,
        allow_custom=collection.allow_custom,
        default_tlp=collection.default_tlp,
        known_markings=frozenset(known_markings),
        language=translation.get_language(),
    )
    chunks = [objects[start : start + _CHECK_CHUNK] for start in range(0, len(objects), _CHECK_CHUNK)]
    results: list[Prepared | str] = []
    for chunk, checked in zip(chunks, parallel.map_in_order(check_chunk, chunks), strict=True):
        for stix_object, outcome in zip(chunk, checked, strict=True):
            if isinstance(outcome, str):
                results.append(outcome)
            else:
                created, modified, body, tlp, recipients = outcome
                results.append(Prepared.of(stix_object, created, modified, body, tlp, recipients))
    return results


def _prepare_chunk(
    objects: list[Any],
    *,
    allow_custom: bool,
    default_tlp: str,
    known_markings: frozenset[str],
    language: str | None,
) -> list[tuple[datetime.datetime | None, datetime.datetime | None, str, str, list[str]] | str]:
    """`_prepare` of some objects of an envelope, in a helper process or not: for each, (created,
    modified, JSON text, TLP, recipients) or the reason it is refused, in the request's language."""
    # An unsaved collection carries the two settings the checks read; nothing here reads the database.
    collection = Collection(allow_custom=allow_custom, default_tlp=default_tlp)
    results: list[tuple[datetime.datetime | None, datetime.datetime | None, str, str, list[str]] | str] = []
    markings = set(known_markings)
    with translation.override(language):
        for stix_object in objects:
            try:
                found = _prepare(stix_object, collection, markings)
            except InvalidObject as error:
                results.append(str(error))
                continue
            results.append((found.created, found.modified, found.body, found.tlp, found.recipients))
    return results


def _known_markings(
    collection: Collection, objects: list[Any], readable: QuerySet[ObjectVersion]
) -> set[str]:
    """Marking definitions an envelope's objects may reference: the envelope's own and those of the
    collection among `readable` (the versions the writer may read)."""
    known = {
        item["id"]
        for item in objects
        if isinstance(item, dict)
        and item.get("type") == "marking-definition"
        and isinstance(item.get("id"), str)
    }
    wanted: set[str] = set()
    for item in objects:
        if isinstance(item, dict):
            refs = item.get("object_marking_refs")
            if isinstance(refs, list):
                wanted.update(ref for ref in refs if isinstance(ref, str))
            granular = item.get("granular_markings")
            if isinstance(granular, list):
                wanted.update(
                    marking["marking_ref"]
                    for marking in granular
                    if isinstance(marking, dict) and isinstance(marking.get("marking_ref"), str)
                )
    wanted -= known | set(sharing.TLP_MARKINGS)
    wanted_list = sorted(wanted)
    for start in range(0, len(wanted_list), _CHUNK):
        known.update(
            readable.filter(
                collection=collection,
                type="marking-definition",
                stix_id__in=wanted_list[start : start + _CHUNK],
            ).values_list("stix_id", flat=True)
        )
    return known


def require_write(collection: Collection, access: queries.Access) -> None:
    """PermissionDenied unless the caller may add objects: a write grant, on a collection kept here."""
    if collection.peer:
        raise PermissionDenied(
            _("This collection is a copy of the %(party)s node's; add objects there.")
            % {"party": collection.peer}
        )
    if not access.can_write:
        raise PermissionDenied(_("You may not add objects to this collection."))


def add_objects(caller: queries.Caller, collection: Collection, envelope: Any) -> Status:
    """Store the objects of a TAXII envelope in `collection` as `caller`; return the status resource.

    Each object is checked alone: a bad one fails with its reason and the good ones are stored. An
    object identical to a stored version (same id, same version, same JSON) is a success; a different
    object under an existing id and version is a failure. Only the organisation that created an object
    may add versions of it (STIX 2.1, 3.6): a version of another organisation's object is a failure
    when the caller may read that object, and otherwise answers exactly as a new object would, storing
    nothing (`_answer_for_others`). The good objects are stored in one transaction, so a crash stores
    none of them.
    """
    access = queries.access_to(caller, collection)
    if not access.any:
        raise NotFound(_("There is no collection %(id)s here.") % {"id": collection.pk})
    require_write(collection, access)
    author = caller.organisation_id
    if author is None:
        raise PermissionDenied(_("Only members of an organisation may add objects."))
    if not isinstance(envelope, dict) or not isinstance(envelope.get("objects"), list):
        raise Invalid(_('The body must be a TAXII envelope: {"objects": [...]}.'))
    objects: list[Any] = envelope["objects"]
    request_time = timezone.now()
    successes: list[dict[str, str]] = []
    failures: list[dict[str, str]] = []
    prepared: list[Prepared] = []
    # Marking definitions the caller may not read are unknown to it: referencing one must not tell
    # the caller that it exists.
    known = _known_markings(collection, objects, queries.visible(caller, collection, access))
    for item, checked in zip(objects, _prepare_all(objects, collection, known), strict=True):
        if isinstance(checked, str):
            failures.append(_detail(item, checked))
        else:
            prepared.append(checked)

    codes = sorted({code for item in prepared for code in item.recipients})
    organisations = dict(Organisation.objects.filter(code__in=codes).values_list("code", "pk"))
    accepted: list[Prepared] = []
    for item in prepared:
        unknown = [code for code in item.recipients if code not in organisations]
        if unknown:
            failures.append(
                _detail(
                    item.parsed,
                    _("Unknown recipient organisation(s) in %(property)s: %(codes)s.")
                    % {"property": sharing.RECIPIENTS_PROPERTY, "codes": ", ".join(unknown)},
                )
            )
        else:
            accepted.append(item)

    with transaction.atomic():
        # One writer per collection at a time: date_added stays unique and increasing (so `added_after`
        # resumes exactly), and the first/last flags of an object's versions cannot race.
        Collection.objects.select_for_update().filter(pk=collection.pk).first()
        outcome = store(collection, author, caller.user.pk, accepted, organisations, request_time)
        if outcome.added is not None:
            records.share_added(
                collection, Organisation.objects.select_related("party").get(pk=author), *outcome.added
            )
            transaction.on_commit(_keep_statistics_fresh)
        refusal = _answer_for_others(caller, collection, access, outcome.others)
    for item in outcome.new:
        if (message := refusal.get(item.stix_id)) is not None:
            failures.append(_detail(item.parsed, message))
        else:
            successes.append(_detail(item.parsed))
    for item in outcome.duplicates:
        if (message := refusal.get(item.stix_id)) is not None:
            failures.append(_detail(item.parsed, message))
        else:
            successes.append(_detail(item.parsed, _("Already in the collection.")))
    for item, message in outcome.clashes:
        failures.append(_detail(item.parsed, refusal.get(item.stix_id, message)))

    Status.objects.filter(request_timestamp__lt=request_time - STATUS_RETENTION).delete()
    return Status.objects.create(
        api_root=collection.api_root,
        collection=collection,
        user=caller.user,
        status=Status.State.COMPLETE,
        request_timestamp=request_time,
        total_count=len(objects),
        success_count=len(successes),
        failure_count=len(failures),
        pending_count=0,
        successes=successes,
        failures=failures,
        pendings=[],
    )


def _answer_for_others(
    caller: queries.Caller, collection: Collection, access: queries.Access, others: dict[str, int]
) -> dict[str, str]:
    """The failure message for each id in `others` (ids created by another organisation, of which
    `store` wrote nothing) that the caller may read; ids it may not read get no message.

    Why an id the caller may not read answers as a new object would (a success, or the same failure
    two clashing copies in one envelope get), although nothing is stored: the status must not tell
    the caller that an object it may not read exists, nor confirm its content (a TLP oracle). Its
    versions stay untouched, which is what item 1 of STIX 2.1's versioning rules asks. A refusal
    ("created by another organisation") would tell the caller that the id is taken; a success tells
    it nothing it did not send. What it gives up: a later read by the caller does not find the object
    it was told was stored. Only someone who already knows the id of an object hidden from them (a
    random UUID) can get there, and they learn no more than that the id is taken: never its content,
    level or author. Honest clients make new ids, so they never meet this.
    """
    if not others:
        return {}
    ids = sorted(others)
    readable: set[str] = set()
    rows = queries.visible(caller, collection, access)
    for start in range(0, len(ids), _CHUNK):
        readable.update(
            rows.filter(stix_id__in=ids[start : start + _CHUNK]).values_list("stix_id", flat=True).distinct()
        )
    if not readable:
        return {}
    wanted = {others[stix_id] for stix_id in readable}
    creators = dict(Organisation.objects.filter(pk__in=wanted).values_list("pk", "code"))
    return {stix_id: _creator_message(creators[others[stix_id]]) for stix_id in readable}


def _creator_message(creator: str) -> str:
    return _(
        "This object was created by the organisation %(creator)s: only its creator may add versions of "
        "it (STIX 2.1, section 3.6). Give your object a new id."
    ) % {"creator": creator}


@dataclass
class Stored:
    """What `store` did with a batch, in the batch's order."""

    #: The new versions (not held yet, nor twice in the batch). All were written, except those whose id
    #: is in `others`.
    new: list[Prepared]
    #: Versions already held with the same JSON, or repeated in the batch: nothing to write.
    duplicates: list[Prepared]
    #: Other JSON under an id and version already held or earlier in the batch: refused, with why.
    clashes: list[tuple[Prepared, str]]
    #: Ids whose first version another organisation wrote (id -> that organisation's pk): nothing of
    #: them was written, whatever the versions (STIX 2.1, 3.6: only the creator makes new versions).
    others: dict[str, int]
    #: The date_added of the first and last version written, or None when none was.
    added: tuple[datetime.datetime, datetime.datetime] | None


def store(
    collection: Collection,
    author: int,
    added_by: int | None,
    accepted: list[Prepared],
    organisations: dict[str, int],
    now: datetime.datetime,
    ledger_entry_id: int | None = None,
) -> Stored:
    """Insert the new versions among `accepted`, by the `author` organisation, under the collection's
    lock. `ledger_entry_id`: the peer's entry that brought them (records.py).

    Only the organisation that wrote an object's first version in the collection (its creator) may add
    versions of it (STIX 2.1, 3.6: anyone else makes a new object with its own id): the versions of an
    object created by another organisation are not written and its id is in `Stored.others`. Its
    stored versions are not compared with them either, so the outcome for such an id is the one a new
    object would have (what the caller is told is decided by the caller: add_objects, records.py).
    The creators come with the versions already read here: no query more per batch.
    """
    existing, others = _held_versions(collection, sorted({item.stix_id for item in accepted}), author)

    # A version already stored: the same JSON is a success (a client retrying), another one a clash.
    # An observable has no version of its own: it is a duplicate when its last stored copy is identical.
    def stored_pk(item: Prepared) -> int | None:
        if item.stix_id in others:
            return None  # never compared: as if the collection held nothing under this id
        versions = existing.get(item.stix_id, {})
        if item.version is None:
            return versions[max(versions)] if versions else None
        return versions.get(item.version)

    stored_bodies = _bodies(sorted({found for item in accepted if (found := stored_pk(item)) is not None}))

    last = ObjectVersion.objects.filter(collection=collection).aggregate(last=Max("date_added"))["last"]
    date_added = max(now, last + datetime.timedelta(microseconds=1)) if last else now
    new: list[Prepared] = []
    stored: list[Prepared] = []
    duplicates: list[Prepared] = []
    clashes: list[tuple[Prepared, str]] = []
    rows: list[dict[str, Any]] = []
    new_versions: dict[str, dict[datetime.datetime, dict[str, Any]]] = {}
    for item in accepted:
        stored_at = stored_pk(item)
        if stored_at is not None:
            if stored_bodies[stored_at] == item.parsed:
                duplicates.append(item)
                continue
            if item.version is not None:
                clashes.append((item, _clash_message()))
                continue
        version = item.version or date_added
        if version in new_versions.get(item.stix_id, {}):
            if new_versions[item.stix_id][version] == item.parsed:
                duplicates.append(item)
            else:
                clashes.append((item, _clash_message()))
            continue
        new_versions.setdefault(item.stix_id, {})[version] = item.parsed
        new.append(item)
        if item.stix_id in others:
            # Another organisation's object: not written. The clock still moves on, as for a version
            # written, so that an observable repeated in the batch gets the outcome it would get new.
            date_added += datetime.timedelta(microseconds=1)
            continue
        rows.append(_row(collection, item, version, date_added, author, added_by, ledger_entry_id))
        stored.append(item)
        date_added += datetime.timedelta(microseconds=1)

    _mark_first_and_latest(collection, rows, new_versions, existing, others)
    _insert_versions(rows)
    _link_recipients(collection, rows, stored, organisations)
    added = (rows[0]["date_added"], rows[-1]["date_added"]) if rows else None
    return Stored(new=new, duplicates=duplicates, clashes=clashes, others=others, added=added)


def _held_versions(
    collection: Collection, ids: list[str], author: int
) -> tuple[dict[str, dict[datetime.datetime, int]], dict[str, int]]:
    """The versions held of `ids` ({id: {version: pk}}), and the ids another organisation than `author`
    created ({id: creator}): the author of an object's earliest added version (its first version in
    arrival order, which a later, back-dated `modified` cannot take over)."""
    existing: dict[str, dict[datetime.datetime, int]] = {}
    first_added: dict[str, tuple[datetime.datetime, int, int]] = {}
    for start in range(0, len(ids), _CHUNK):
        for stix_id, version, pk, date_added, creator in ObjectVersion.objects.filter(
            collection=collection, stix_id__in=ids[start : start + _CHUNK]
        ).values_list("stix_id", "version", "pk", "date_added", "author_organisation_id"):
            existing.setdefault(stix_id, {})[version] = pk
            if stix_id not in first_added or (date_added, pk) < first_added[stix_id][:2]:
                first_added[stix_id] = (date_added, pk, creator)
    others = {stix_id: found[2] for stix_id, found in first_added.items() if found[2] != author}
    return existing, others


def _bodies(pks: list[int]) -> dict[int, Any]:
    """The stored JSON of the versions `pks`, parsed."""
    found: dict[int, Any] = {}
    for start in range(0, len(pks), _CHUNK):
        for row_pk, body in ObjectVersion.objects.filter(pk__in=pks[start : start + _CHUNK]).values_list(
            "pk", "body"
        ):
            found[row_pk] = json.loads(body)
    return found


def _row(
    collection: Collection,
    item: Prepared,
    version: datetime.datetime,
    date_added: datetime.datetime,
    author: int,
    added_by: int | None,
    ledger_entry_id: int | None,
) -> dict[str, Any]:
    """The columns of a new version (`_insert_versions`)."""
    return {
        "collection_id": collection.pk,
        "stix_id": item.stix_id,
        "type": item.type,
        "spec_version": item.spec_version,
        "version": version,
        "created": item.created,
        "modified": item.modified,
        "date_added": date_added,
        "source_ref": _reference(item.parsed, "source_ref"),
        "target_ref": _reference(item.parsed, "target_ref") or _reference(item.parsed, "sighting_of_ref"),
        "body": item.body,
        "tlp": item.tlp,
        "author_organisation_id": author,
        "added_by_id": added_by,
        "ledger_entry_id": ledger_entry_id,
    }


def _mark_first_and_latest(
    collection: Collection,
    rows: list[dict[str, Any]],
    new_versions: dict[str, dict[datetime.datetime, Any]],
    existing: dict[str, dict[datetime.datetime, int]],
    others: dict[str, int],
) -> None:
    """Set `is_first`/`is_latest` of the new rows over each object's stored and new versions, and clear
    them on stored versions that are no longer first or latest."""
    newest_of: dict[str, datetime.datetime] = {}
    oldest_of: dict[str, datetime.datetime] = {}
    for stix_id, versions in new_versions.items():
        if stix_id in others:
            continue
        every = list(versions) + list(existing.get(stix_id, {}))
        newest_of[stix_id], oldest_of[stix_id] = max(every), min(every)
    for row in rows:
        row["is_latest"] = row["version"] == newest_of[row["stix_id"]]
        row["is_first"] = row["version"] == oldest_of[row["stix_id"]]
    no_longer_latest = [s for s in newest_of if s in existing and newest_of[s] > max(existing[s])]
    no_longer_first = [s for s in oldest_of if s in existing and oldest_of[s] < min(existing[s])]
    for start in range(0, len(no_longer_latest), _CHUNK):
        ObjectVersion.objects.filter(
            collection=collection, stix_id__in=no_longer_latest[start : start + _CHUNK], is_latest=True
        ).update(is_latest=False)
    for start in range(0, len(no_longer_first), _CHUNK):
        ObjectVersion.objects.filter(
            collection=collection, stix_id__in=no_longer_first[start : start + _CHUNK], is_first=True
        ).update(is_first=False)


def _link_recipients(
    collection: Collection, rows: list[dict[str, Any]], stored: list[Prepared], organisations: dict[str, int]
) -> None:
    """The recipients named by the versions just inserted (`x_partnership_recipients`)."""
    named = [(row, item) for row, item in zip(rows, stored, strict=True) if item.recipients]
    if not named:
        return
    # Only the few versions that name recipients need their new primary keys read back.
    pk_of: dict[tuple[str, datetime.datetime], int] = {}
    named_ids = sorted({row["stix_id"] for row, _item in named})
    for start in range(0, len(named_ids), _CHUNK):
        for stix_id, version, pk in ObjectVersion.objects.filter(
            collection=collection, stix_id__in=named_ids[start : start + _CHUNK]
        ).values_list("stix_id", "version", "pk"):
            pk_of[(stix_id, version)] = pk
    links = [
        ObjectRecipient(
            version_id=pk_of[(row["stix_id"], row["version"])], organisation_id=organisations[code]
        )
        for row, item in named
        for code in item.recipients
    ]
    ObjectRecipient.objects.bulk_create(links, batch_size=_CHUNK)


_COLUMNS = (
    "collection_id",
    "stix_id",
    "type",
    "spec_version",
    "version",
    "created",
    "modified",
    "date_added",
    "source_ref",
    "target_ref",
    "body",
    "tlp",
    "author_organisation_id",
    "added_by_id",
    "ledger_entry_id",
    "is_first",
    "is_latest",
)


def _insert_versions(rows: list[dict[str, Any]]) -> None:
    """Insert new ObjectVersion rows (column name -> value) in the current transaction.

    On PostgreSQL through COPY (psycopg 3): a large envelope is one statement streamed to the server,
    where `bulk_create` builds a model instance and binds every value of multi-row INSERTs (the ingest
    rate bench/threat_intel.py prints is with COPY). Elsewhere (SQLite), `bulk_create`.
    """
    if not rows:
        return
    if connection.vendor == "postgresql":
        table = connection.ops.quote_name(ObjectVersion._meta.db_table)
        columns = ", ".join(connection.ops.quote_name(column) for column in _COLUMNS)
        with (
            connection.cursor() as cursor,
            cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy,
        ):
            for row in rows:
                copy.write_row([row[column] for column in _COLUMNS])
        return
    ObjectVersion.objects.bulk_create([ObjectVersion(**row) for row in rows], batch_size=_CHUNK)


#: Rows changed since the last ANALYZE below which the statistics are left to autovacuum.
_ANALYZE_AFTER = 1000


def _keep_statistics_fresh() -> None:
    """On PostgreSQL, ANALYZE the object tables once they have changed by as much as they held.

    A feed that pushes large envelopes grows the table faster than autovacuum re-reads it (it waits
    for its naptime, then for 10% of changes): with statistics of an empty table the planner reads a
    whole collection through the `collection_id` index to find 500 ids, or loops over every restricted
    object for each recipient link, instead of reading the page's index in order. Running ANALYZE
    each time the table has doubled costs a few ANALYZEs over the table's life.
    """
    if connection.vendor != "postgresql":
        return
    tables = [ObjectVersion._meta.db_table, ObjectRecipient._meta.db_table]
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT n_mod_since_analyze, n_live_tup FROM pg_stat_user_tables WHERE relid = %s::regclass",
            [tables[0]],
        )
        row = cursor.fetchone()
        if row is None:
            return
        changed, live = row
        if changed >= max(_ANALYZE_AFTER, live - changed):
            # Whole tables: an ANALYZE of some columns leaves the change counter as it was. The JSON
            # text, which no plan uses, is left out by its statistics target (migration 0003).
            cursor.execute("ANALYZE " + ", ".join(connection.ops.quote_name(table) for table in tables))


def _reference(stix_object: dict[str, Any], name: str) -> str:
    value = stix_object.get(name, "")
    return value if isinstance(value, str) and len(value) <= 300 else ""


def _clash_message() -> str:
    return _(
        "Another object with this id and version is already in the collection; change its modified time."
    )


def refresh_flags(collection: Collection, stix_ids: list[str]) -> None:
    """Recompute which version of each object is its first and its last (after a deletion)."""
    same = ObjectVersion.objects.filter(collection=collection, stix_id=OuterRef("stix_id"))
    newest = Subquery(same.order_by("-version").values("version")[:1])
    oldest = Subquery(same.order_by("version").values("version")[:1])
    for start in range(0, len(stix_ids), _CHUNK):
        ObjectVersion.objects.filter(
            collection=collection, stix_id__in=stix_ids[start : start + _CHUNK]
        ).update(
            is_latest=Case(When(version=newest, then=Value(True)), default=Value(False)),
            is_first=Case(When(version=oldest, then=Value(True)), default=Value(False)),
        )


def delete_object(
    caller: queries.Caller, root: ApiRoot, collection_id: str, stix_id: str, params: Any
) -> int:
    """Delete the versions of an object that match the filters (`match[version]` default `all`).

    The caller must read and write the collection, and deletes only versions its own organisation
    added: another organisation's intelligence is not theirs to withdraw. Returns how many went.
    """
    collection, access = queries.readable_collection(caller, root, collection_id)
    if not access.can_write or caller.organisation_id is None:
        raise PermissionDenied(_("You may not delete objects from this collection."))
    filters = queries.parse_filters(params, queries.ONE_OBJECT_FILTERS - {"added_after"})
    rows = queries.visible(caller, collection, access).filter(stix_id=stix_id)
    if not queries.is_stix_id(stix_id) or not rows.exists():
        raise NotFound(_("There is no object %(id)s in this collection.") % {"id": stix_id})
    matching = queries._matching(rows, filters, "all")
    if matching.exclude(author_organisation_id=caller.organisation_id).exists():
        raise PermissionDenied(_("Only the organisation that added a version of an object may delete it."))
    with transaction.atomic():
        Collection.objects.select_for_update().filter(pk=collection.pk).first()
        pks = list(matching.values_list("pk", flat=True))
        author = Organisation.objects.select_related("party").get(pk=caller.organisation_id)
        records.share_deleted(collection, author, stix_id, pks)
        deleted = ObjectVersion.objects.filter(pk__in=pks).delete()[1]
        refresh_flags(collection, [stix_id])
    return deleted.get(ObjectVersion._meta.label, 0)


def status_document(status: Status) -> dict[str, Any]:
    """A status resource as TAXII 2.1 writes it (section 4.3.1)."""
    return {
        "id": str(status.id),
        "status": status.status,
        "request_timestamp": format_timestamp(status.request_timestamp),
        "total_count": status.total_count,
        "success_count": status.success_count,
        "successes": status.successes,
        "failure_count": status.failure_count,
        "failures": status.failures,
        "pending_count": status.pending_count,
        "pendings": status.pendings,
    }

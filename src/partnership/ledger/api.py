"""The node's own log over HTTP, for its peers and for anyone who wants to check it (read-only, public).

GET /api/v1/ledger/checkpoint               the latest signed checkpoint (C2SP tlog-checkpoint note)
GET /api/v1/ledger/entries?start=&end=      entries [start, end), at most 1000
GET /api/v1/ledger/consistency?old=&new=    RFC 9162 consistency proof between two sizes
GET /api/v1/ledger/proof/{index}?size=      inclusion proof of one entry
GET /api/v1/ledger/keys                     the node's verifier keys

The formats are described in docs/ledger.md.
"""

import base64

from django.http import HttpResponse
from ninja import Query, Router, Schema
from ninja.errors import HttpError
from pydantic import Field

from . import services
from .keys import verifier_key_string
from .models import OWN, LogEntry, SigningKey
from .sync import PAGE

router = Router(tags=["ledger"])

#: Record bytes per page of entries: records that carry sealed threat intelligence can be large, and a
#: page (base64, about 4/3 of this) must stay well under what sync reads (`sync.MAX_RESPONSE`).
PAGE_BYTES = 16 * 1024 * 1024


class EntryOut(Schema):
    index: int
    record: str = Field(description="base64 of the RFC 8785 canonical JSON record that was signed")
    signature: str = Field(description="base64 of the 64-byte Ed25519 signature of the record bytes")
    key_id: str = Field(description="hex C2SP key ID of the signing key")


class EntriesOut(Schema):
    origin: str
    size: int
    entries: list[EntryOut]


class RangeIn(Schema):
    start: int = Field(0, ge=0)
    end: int | None = Field(None, ge=0, description=f"exclusive; at most {PAGE} entries are returned")


class ConsistencyIn(Schema):
    old: int = Field(..., ge=0)
    new: int = Field(..., ge=0)


class ConsistencyOut(Schema):
    old: int
    new: int
    proof: list[str]


class ProofIn(Schema):
    size: int | None = Field(None, ge=1, description="tree size; default: a new signed checkpoint")


class ProofOut(Schema):
    index: int
    size: int
    leaf_hash: str
    proof: list[str]
    root: str
    checkpoint: str


class KeyOut(Schema):
    verifier_key: str
    retired: bool


class KeysOut(Schema):
    origin: str
    verifier_key: str = Field(description="the current key, as peers configure it in PARTNERSHIP_PEERS")
    keys: list[KeyOut]


@router.get(
    "/ledger/checkpoint",
    response={200: str},
    openapi_extra={"responses": {200: {"content": {"text/plain": {"schema": {"type": "string"}}}}}},
)
def get_checkpoint(request):
    """The latest signed checkpoint of this node's log, as a C2SP signed note (text/plain)."""
    return HttpResponse(services.checkpoint().note, content_type="text/plain; charset=utf-8")


@router.get("/ledger/entries", response=EntriesOut)
def get_entries(request, query: Query[RangeIn]):
    """Entries of this node's log from `start`, up to `end` (exclusive), 1000 entries or about
    `PAGE_BYTES` of records, whichever comes first (at least one entry)."""
    current = services.size()
    end = min(current, query.start + PAGE, query.end if query.end is not None else current)
    rows = LogEntry.objects.filter(log=OWN, index__gte=query.start, index__lt=end).order_by("index")
    entries, total = [], 0
    for row in rows.iterator(chunk_size=100):
        record = bytes(row.record)
        if entries and total + len(record) > PAGE_BYTES:
            break  # the peer asks again from the next index
        total += len(record)
        entries.append(
            {
                "index": row.index,
                "record": base64.b64encode(record).decode("ascii"),
                "signature": base64.b64encode(bytes(row.signature)).decode("ascii"),
                "key_id": row.key_id,
            }
        )
    return {"origin": services.origin(), "size": current, "entries": entries}


@router.get("/ledger/consistency", response=ConsistencyOut)
def get_consistency(request, query: Query[ConsistencyIn]):
    """The consistency proof between this log at `old` and at `new` entries (hex hashes)."""
    try:
        proof = services.consistency_proof(query.old, query.new)
    except ValueError as exc:
        raise HttpError(422, str(exc)) from None
    return {"old": query.old, "new": query.new, "proof": [h.hex() for h in proof]}


@router.get("/ledger/proof/{index}", response=ProofOut)
def get_inclusion_proof(request, index: int, query: Query[ProofIn]):
    """The inclusion proof of entry `index` (hex hashes), with the signed checkpoint it leads to."""
    try:
        return services.inclusion_proof(index, query.size).as_json()
    except ValueError as exc:
        raise HttpError(404, str(exc)) from None


@router.get("/ledger/keys", response=KeysOut)
def get_keys(request):
    """This node's verifier keys: the current one and those it rotated away from."""
    keys = [
        {"verifier_key": verifier_key_string(k.name, bytes(k.public_key)), "retired": k.retired}
        for k in SigningKey.objects.filter(log=OWN)
    ]
    if not any(k["verifier_key"] == services.verifier_key() for k in keys):
        keys.append({"verifier_key": services.verifier_key(), "retired": False})
    return {"origin": services.origin(), "verifier_key": services.verifier_key(), "keys": keys}

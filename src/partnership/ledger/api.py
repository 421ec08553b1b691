"""The node's own log over HTTP, for its peers and for anyone who wants to check it (read-only).

GET /api/v1/ledger/checkpoint               the latest signed checkpoint (C2SP tlog-checkpoint note)
GET /api/v1/ledger/entries?start=&end=      entries [start, end), at most 1000; record content only
                                            for a signed peer node or a member who may read it
GET /api/v1/ledger/challenge                a nonce for one request signed by a peer node
GET /api/v1/ledger/consistency?old=&new=    RFC 9162 consistency proof between two sizes
GET /api/v1/ledger/proof/{index}?size=      inclusion proof of one entry
GET /api/v1/ledger/keys                     the node's verifier keys

The formats are described in docs/ledger.md.
"""

from django.http import HttpResponse
from ninja import Query, Router, Schema
from ninja.errors import HttpError
from pydantic import Field

# The reader (bearer token or session) as every API router reads it; the ledger's services and library
# import nothing of ours, only this HTTP layer does.
from partnership.api_helpers import reader

from . import queries, services
from .node_requests import CHALLENGE_SECONDS, NodeAuthError, authenticated_node, issue_challenge
from .sync import PAGE

router = Router(tags=["ledger"])

#: Record bytes per page of entries: records that carry sealed threat intelligence can be large, and a
#: page (base64, about 4/3 of this) must stay well under what sync reads (`sync.MAX_RESPONSE`).
PAGE_BYTES = 16 * 1024 * 1024


class EntryOut(Schema):
    index: int
    type: str = Field(description="the record type, e.g. programme.progress_update")
    leaf_hash: str = Field(description="hex SHA-256(0x00 || record): what inclusion proofs prove")
    record: str | None = Field(
        description="base64 of the RFC 8785 canonical JSON record that was signed; null when the caller "
        "may not read its content (a peer node signing its request, or a member the type admits, may)"
    )
    signature: str = Field(description="base64 of the 64-byte Ed25519 signature of the record bytes")
    key_id: str = Field(description="hex C2SP key ID of the signing key")


class EntriesOut(Schema):
    origin: str
    size: int
    entries: list[EntryOut]


class RangeIn(Schema):
    start: int = Field(0, ge=0)
    end: int | None = Field(None, ge=0, description=f"exclusive; at most {PAGE} entries are returned")


class ChallengeOut(Schema):
    nonce: str = Field(description="for the Signature-Input of one signed request (docs/ledger.md)")
    expires_in: int = Field(description="seconds the nonce stays valid, by this node's clock")


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
def get_entries(request, response: HttpResponse, query: Query[RangeIn]):
    """Entries of this node's log from `start`, up to `end` (exclusive), 1000 entries or about
    `PAGE_BYTES` of records, whichever comes first (at least one entry). Every entry's index, type,
    leaf hash, signature and key ID are public; its record only for a peer node that signs the request
    (Signature-Input, Signature: docs/ledger.md) or a member who may read records of its type."""
    try:
        node = authenticated_node(request)
    except NodeAuthError as exc:
        raise HttpError(401, str(exc)) from None
    user = None if node else reader(request)
    # What is served depends on who asks: no shared cache may keep a member's or the peer's answer.
    response["Cache-Control"] = "private, no-store"
    return queries.entries(query.start, query.end, limit=PAGE, max_bytes=PAGE_BYTES, node=node, user=user)


@router.get("/ledger/challenge", response=ChallengeOut)
def get_challenge(request, response: HttpResponse):
    """A nonce for one request signed by a peer node, valid for `expires_in` seconds and once."""
    response["Cache-Control"] = "no-store"  # a cached nonce would be one already used
    return {"nonce": issue_challenge(), "expires_in": CHALLENGE_SECONDS}


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
    return {
        "origin": services.origin(),
        "verifier_key": services.verifier_key(),
        "keys": queries.verifier_keys(),
    }

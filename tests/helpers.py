"""Small helpers shared by test modules: a signed-in client, the ledger records of this node, and what a
request wrote (the hostile-input probes)."""

import re
from collections.abc import Iterator
from contextlib import contextmanager

from django.db import connection, transaction
from django.test import Client

from partnership.ledger import registry
from partnership.ledger import services as ledger_services
from partnership.ledger.keys import public_key_bytes
from partnership.ledger.models import LogEntry
from partnership.ledger.node_requests import signed_headers
from partnership.ledger.records import SignedRecord, verify_record


def signed_in(user, **options) -> Client:
    """A test client signed in as `user` (anonymous when `user` is None)."""
    client = Client(**options)
    if user is not None:
        client.force_login(user)
    return client


def signed(entry: LogEntry) -> SignedRecord:
    """The record of one of this node's entries, once its signature is checked with the node's key."""
    return verify_record(
        bytes(entry.record), bytes(entry.signature), public_key_bytes(ledger_services.node_key())
    )


def apply(record: SignedRecord, entry: LogEntry) -> None:
    """Apply as `sync` does: through the registry, inside the transaction that stores the entry."""
    with transaction.atomic():
        registry.applier_for(record.type)(record, entry)


def get_as_node(client: Client, url: str, name: str, key) -> object:
    """GET `url` as the peer node `name` with node key `key` does: a challenge, then a signed request."""
    nonce = client.get("/api/v1/ledger/challenge").json()["nonce"]
    return client.get(url, headers=signed_headers("GET", "http://testserver" + url, nonce, name, key))


def plan_cycle(proposer, data):
    """A cycle planned by `proposer` (a secretariat) with its calendar agreed by the other party's
    secretariat, as the phases need; the cycle."""
    from partnership.cycle import services
    from partnership.people.models import Membership

    cycle = services.create_cycle(proposer, data)
    membership = Membership.objects.select_related("organisation").get(user=proposer)
    other = (
        Membership.objects.filter(role=Membership.Role.SECRETARIAT, user__is_active=True)
        .exclude(organisation__party=membership.organisation.party)
        .select_related("user")
        .first()
    )
    if other is not None:
        return services.agree_calendar(other.user, cycle.year)
    return cycle


WRITE = re.compile(r'^\s*(?:INSERT\s+INTO|UPDATE|DELETE\s+FROM)\s+"?([A-Za-z0-9_]+)"?', re.IGNORECASE)


@contextmanager
def written_tables() -> Iterator[set[str]]:
    """The names of the tables the statements run inside the block write to."""
    tables: set[str] = set()

    def record(execute, sql, params, many, context):
        match = WRITE.match(sql)
        if match:
            tables.add(match[1])
        return execute(sql, params, many, context)

    with connection.execute_wrapper(record):
        yield tables


def fingerprint(table: str) -> str:
    """A digest of every row of `table`, to tell whether a refused request changed it."""
    with connection.cursor() as cursor:
        cursor.execute(f'SELECT * FROM "{table}"')  # noqa: S608 (a table name the test recorded)
        rows = sorted(repr(row) for row in cursor.fetchall())
    return str(hash(tuple(rows)))


@contextmanager
def rolled_back() -> Iterator[None]:
    """A block whose writes are undone at its end."""
    with transaction.atomic():
        yield
        transaction.set_rollback(True)

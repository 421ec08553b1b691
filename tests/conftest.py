"""Shared fixtures: the Japan-EU programme loaded once per test database, members of every role, and a
real JP peer node in its own process (tests/federation/nodes.py) beside this process as the EU node."""

import os
import shutil
from pathlib import Path

import pytest

from partnership.ledger.keys import load_or_create_key, verifier_key_string
from tests.federation.nodes import Node

REPO = Path(__file__).resolve().parents[1]


def shared_dir() -> Path:
    """The shared folder beside the repository (../shared), or PARTNERSHIP_SHARED_DIR."""
    return Path(os.environ.get("PARTNERSHIP_SHARED_DIR", REPO.parent / "shared"))


@pytest.fixture(autouse=True)
def english_outside_requests():
    """A request leaves its language active in the thread; each test starts and ends in English, so a
    Japanese page in one test cannot change the messages another test reads."""
    from django.utils import translation

    translation.activate("en")
    yield
    translation.activate("en")


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    """Argon2 takes a quarter of a second per member; tests that check the hasher set it back."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(scope="session")
def session_node_key(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("node") / "node-key.pem"


@pytest.fixture(autouse=True)
def node_key_outside_the_repository(settings, session_node_key):
    """Every shared record is signed: tests sign with a key of their own, never with ./var's."""
    settings.NODE_KEY_FILE = session_node_key


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """Load the programme once into the test database; each test's changes are rolled back."""
    from partnership.programme.loader import load_programme

    with django_db_blocker.unblock():
        load_programme()


@pytest.fixture
def programme(db):
    """The loaded programme (present from django_db_setup; transactional tests load it again)."""
    from partnership.programme.loader import load_programme
    from partnership.programme.models import JointAction

    if not JointAction.objects.exists():
        load_programme()


PASSWORD = "correct-horse-battery-9"

MEMBERS = {
    # name: (organisation code, role)
    "jp_secretariat": ("jp-digital-agency", "secretariat"),
    "eu_secretariat": ("eu-dg-connect", "secretariat"),
    "jp_lead": ("jp-mic", "action_lead"),  # MIC leads 48 (5G R&I) but not 46 (semiconductors)
    "eu_lead": ("eu-dg-grow", "action_lead"),  # DG GROW leads 72 but not 48
    "jp_stakeholder": ("jp-jbce", "stakeholder"),
    "eu_stakeholder": ("eu-ebc", "stakeholder"),
    "eu_member_state": ("eu-member-states", "member_state"),
}


@pytest.fixture
def members(programme):
    """One user per role and party, keyed as in MEMBERS."""
    from partnership.people.models import Organisation
    from partnership.people.services import create_member

    return {
        name: create_member(name.replace("_", "-"), PASSWORD, Organisation.objects.get(code=code), role)
        for name, (code, role) in MEMBERS.items()
    }


@pytest.fixture
def token_for():
    """token_for(user) -> an `Authorization` header value for that user."""
    from partnership.people.services import create_token

    def make(user) -> str:
        return "Bearer " + create_token(user, "test")[1]

    return make


@pytest.fixture
def peer_log(db):
    """peer_log(type, content, party="EU", organisation=...) -> (record, entry): a record signed by
    another node's key, stored as the next entry of that party's log copy (as `sync` stores it after
    verifying), not yet applied."""
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    from partnership.ledger import merkle
    from partnership.ledger.keys import key_id
    from partnership.ledger.models import LogEntry
    from partnership.ledger.records import SignedRecord, sign_record

    key = Ed25519PrivateKey.generate()
    organisations = {"EU": "eu-dg-connect", "JP": "jp-digital-agency"}

    def append(
        record_type: str,
        content,
        party: str = "EU",
        organisation: str | None = None,
        time: str = "2026-11-20T09:30:00.5Z",
    ):
        record = SignedRecord(record_type, party, organisation or organisations[party], time, content)
        data, signature = sign_record(record, key)
        entry = LogEntry.objects.create(
            log=party,
            index=LogEntry.objects.filter(log=party).count(),
            leaf_hash=merkle.leaf_hash(data),
            record=data,
            signature=signature,
            key_id=key_id(party, key).hex(),
        )
        return record, entry

    return append


# --- two real nodes: a JP node in its own process, this process as the EU node -------------------------


@pytest.fixture(scope="session")
def jp_template(tmp_path_factory):
    """A JP node's data set up once: migrated, programme loaded, JP demo accounts and progress."""
    node = Node("JP", tmp_path_factory.mktemp("jp-template") / "data")
    node.call("demo", "--no-serve")
    node.secretariat_token = node.token("jp-secretariat")
    return node


@pytest.fixture
def jp_factory(jp_template, tmp_path, session_node_key):
    """jp_factory(name, skew_seconds=0, env=None) -> a started JP node with a copy of the template's data
    and key (`env`: more PARTNERSHIP_ settings). It knows this process (the EU node) as its peer, as
    federated nodes name each other: it serves record content only to a node it knows."""
    started = []

    def make(name: str = "jp", skew_seconds: float = 0, env: dict[str, str] | None = None) -> Node:
        node = Node("JP", tmp_path / name, skew_seconds)
        node.extra_env = {
            "PARTNERSHIP_PEERS": f"http://127.0.0.1:9 {eu_vkey(session_node_key)}",
            **(env or {}),
        }
        shutil.copytree(jp_template.data_dir, node.data_dir)
        node.secretariat_token = jp_template.secretariat_token  # the copy has the same accounts
        started.append(node)
        return node.start()

    yield make
    for node in started:
        node.stop()


@pytest.fixture
def jp(jp_factory):
    return jp_factory()


@pytest.fixture
def eu_node(settings, programme):
    """This process as the EU node; `peer(node)` makes `node` its configured JP peer."""

    class Eu:
        def peer(self, node: Node, vkey: str | None = None) -> None:
            settings.PEERS = f"{node.url} {vkey or jp_vkey(node)}"

    settings.NODE_PARTY = "EU"
    return Eu()


def eu_vkey(key_file) -> str:
    """This process's verifier key as the EU node (eu_node), as its operator would hand it over."""
    return verifier_key_string("EU", load_or_create_key(key_file))


def jp_vkey(node: Node) -> str:
    """The node's verifier key, read from its key file as its operator would hand it over."""
    return verifier_key_string("JP", load_or_create_key(node.data_dir / "node-key.pem"))

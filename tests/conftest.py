"""Shared fixtures: the Japan-EU programme loaded once per test database, members of every role."""

import os
from pathlib import Path

import pytest

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

"""A Japanese peer node in its own process (see nodes.py); the test process is the EU node."""

import shutil

import pytest

from partnership.ledger.keys import load_or_create_key, verifier_key_string

from .nodes import Node


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

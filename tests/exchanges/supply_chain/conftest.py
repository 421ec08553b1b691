"""Fixtures of the supply-chain tests: the shared test data, and files written for a test."""

import pytest

from tests.conftest import shared_dir

SUPPLY_CHAIN = shared_dir() / "testdata" / "supply-chain"


@pytest.fixture
def shared_file():
    """shared_file(name) -> the path of a real public series in ../shared/testdata/supply-chain, or a skip
    saying why (the folder lies beside the repository, or at $PARTNERSHIP_SHARED_DIR)."""

    def find(name: str):
        path = SUPPLY_CHAIN / name
        if not path.is_file():
            pytest.skip(f"{path} is absent: set PARTNERSHIP_SHARED_DIR to the shared folder to run this test")
        return path

    return find


@pytest.fixture
def write_csv(tmp_path):
    """write_csv(text, name="series.csv") -> the path of a file holding `text`."""

    def write(text: str, name: str = "series.csv"):
        path = tmp_path / name
        path.write_text(text, encoding="utf-8")
        return path

    return write

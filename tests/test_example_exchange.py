"""docs/adding-an-exchange.md, proved: an example exchange built by its steps alone (tests/example_exchange,
never shipped) passes the inherited contract tests, a real JP node's round trip among them, and the house
shape; and outside its folder it is named only here, where its settings module is run (issue 13)."""

import os
import re
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
FOLDER = REPO / "tests" / "example_exchange"
NAME = "example_exchange"


def test_the_example_exchange_passes_the_contract_installed_by_its_settings_alone():
    # Its own pytest: the example is installed by tests/example_exchange/settings.py (EXCHANGES plus the
    # example), which this process's settings are not. The repository is on PYTHONPATH so that the JP
    # node the round trip starts imports those settings too. PARTNERSHIP_DATABASE_URL passes through; on
    # PostgreSQL the example's settings take a test database of their own name.
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join(filter(None, [str(REPO), os.environ.get("PYTHONPATH")])),
    }
    env.pop("DJANGO_SETTINGS_MODULE", None)
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "tests/example_exchange",
            "tests/test_shape.py",
            "--ds",
            "tests.example_exchange.settings",
            "-q",
            "-rA",
            "-p",
            "no:cacheprovider",
        ],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    output = result.stdout + result.stderr
    assert result.returncode == 0, output[-6000:]
    passed = set(re.findall(r"^PASSED (\S+)", result.stdout, re.MULTILINE))
    contract = "tests/example_exchange/test_contract.py::TestTrendNotesContract::"
    for test in (
        "test_its_records_make_a_round_trip_between_two_real_nodes",
        "test_the_other_party_cannot_write_and_the_owner_can",
        "test_pages_render_in_both_languages[ja]",
        "test_its_commands_are_documented",
        "test_section_and_indicators_appear_in_the_report[ja]",
    ):
        assert contract + test in passed, output[-6000:]
    assert f"tests/test_shape.py::test_an_app_has_the_house_shape_or_says_why_not[{NAME}]" in passed


def _naming(paths: list[Path]) -> set[str]:
    word = re.compile(rf"\b{NAME}\b")
    found = set()
    for top in paths:
        for path in [top] if top.is_file() else top.rglob("*"):
            readable = path.is_file() and "__pycache__" not in path.parts and path.suffix != ".mo"
            if readable and word.search(path.read_text(encoding="utf-8", errors="replace")):
                found.add(path.relative_to(REPO).as_posix())
    return found


def test_outside_its_folder_the_example_is_named_only_where_its_settings_are_run():
    # The check, `grep -rlw NAME src Makefile pyproject.toml`, finds nothing for an exchange that
    # is not shipped; in tests, only this file names it (it runs tests.example_exchange.settings).
    assert _naming([REPO / "src", REPO / "Makefile", REPO / "pyproject.toml"]) == set()
    others = _naming([REPO / "tests"]) - _naming([FOLDER])
    assert others == {"tests/test_example_exchange.py"}

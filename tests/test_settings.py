"""The README's settings table and `settings.py` name the same PARTNERSHIP_* variables (STYLE.md 8).

`partnership.settings.DOCUMENTED` records every variable settings.py reads; the README documents them
in a markdown table whose first column holds each name in backticks. Either side may not drift.
"""

import re
from pathlib import Path

import pytest

README = Path(__file__).resolve().parents[1] / "README.md"
NAME_IN_BACKTICKS = re.compile(r"`(PARTNERSHIP_[A-Z0-9_]+)`")
SEPARATOR_CELL = re.compile(r"^:?-{3,}:?$")


def table_names(markdown: str) -> set[str]:
    """PARTNERSHIP_* names in backticks in the first column of the markdown tables of `markdown`."""
    names = set()
    for line in markdown.splitlines():
        line = line.strip()
        if not line.startswith("|"):
            continue
        first_cell = line.split("|")[1].strip()
        if SEPARATOR_CELL.match(first_cell):
            continue
        names.update(NAME_IN_BACKTICKS.findall(first_cell))
    return names


def readme_names() -> set[str]:
    if not README.exists():
        pytest.fail(f"{README.name} is missing: it must document the settings in a table (STYLE.md 8)")
    names = table_names(README.read_text(encoding="utf-8"))
    if not names:
        pytest.fail(f"{README.name} has no settings table: no table row starts with a `PARTNERSHIP_...` name")
    return names


def code_names() -> set[str]:
    from partnership.settings import DOCUMENTED

    return set(DOCUMENTED)


def test_every_setting_is_in_the_readme_table():
    missing = sorted(code_names() - readme_names())
    assert not missing, "missing from the README's settings table: " + ", ".join(missing)


def test_the_readme_table_names_only_settings_that_exist():
    unknown = sorted(readme_names() - code_names())
    assert not unknown, "in the README's settings table but not read by settings.py: " + ", ".join(unknown)


def test_the_table_parser_reads_the_first_column_only():
    markdown = "\n".join(
        [
            "Set `PARTNERSHIP_IN_PROSE` to ...",
            "| Variable | Default | Meaning |",
            "| --- | --- | --- |",
            "| `PARTNERSHIP_ONE` | `1` | Like `PARTNERSHIP_IN_A_LATER_CELL`. |",
            "|`PARTNERSHIP_TWO`|(empty)|Tight cells.|",
            "| Path | What |",
            "| `/api/` | not a setting |",
        ]
    )
    assert table_names(markdown) == {"PARTNERSHIP_ONE", "PARTNERSHIP_TWO"}

"""Checks the Japan-EU Digital Partnership programme file against itself and against the partnership text.

The structural checks need only the YAML file. The verbatim checks read the partnership text from the shared
folder (``<repo>/../shared`` or ``$PARTNERSHIP_SHARED_DIR``) and are skipped when it is not there.
"""

from __future__ import annotations

import os
import re
from functools import cache
from pathlib import Path
from typing import Any

import pytest
import yaml

REPO_ROOT = Path(__file__).resolve().parents[2]
PROGRAMME_FILE = REPO_ROOT / "src" / "partnership" / "programme" / "data" / "japan-eu-2022.yaml"
TEXT_IN_SHARED_DIR = Path("partnership-text") / "japan-eu-digital-partnership-2022.txt"

ANNEX_PARAGRAPHS = list(range(46, 84))  # the Annex: initial set of joint actions
AREA_PARAGRAPHS = list(range(26, 42))  # Section 4: the priority areas (34 and 35 form one area)
ALL_PARAGRAPHS = list(range(1, 84))
PARTIES = {"JP", "EU"}
KINDS = {"secretariat", "ministry", "member_state", "stakeholder", "mechanism"}
SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
JAPANESE = re.compile(r"[\u3040-\u309f\u30a0-\u30ff\u3400-\u4dbf\u4e00-\u9fff]")
NUMBERED_LINE = re.compile(r"^(\d+)\. (.*)$")


# --- reading the two files -------------------------------------------------------------------------------


@cache
def load_programme() -> dict[str, Any]:
    """The programme file as plain data."""
    with PROGRAMME_FILE.open(encoding="utf-8") as handle:
        return yaml.safe_load(handle)


def shared_dir() -> Path:
    """The shared folder: ``$PARTNERSHIP_SHARED_DIR`` if set, else the ``shared`` folder next to the repo."""
    configured = os.environ.get("PARTNERSHIP_SHARED_DIR")
    return Path(configured) if configured else REPO_ROOT.parent / "shared"


def drop_emphasis(text: str) -> str:
    """Remove markdown emphasis markers (``**bold**``, ``*italic*``), keeping the words."""
    text = re.sub(r"\*\*(.+?)\*\*", r"\1", text)
    return re.sub(r"\*(.+?)\*", r"\1", text)


def parse_partnership_text(text: str) -> tuple[dict[int, str], dict[int, str]]:
    """Split the text into numbered paragraphs and the heading each paragraph stands under.

    A paragraph starts at a line ``NN. ``. A later non-numbered line continues it only when the paragraph
    stops mid-sentence and the line starts in lower case (a page break); any other non-numbered line is a
    heading and closes the paragraph.
    """
    pieces: dict[int, list[str]] = {}
    headings: dict[int, str] = {}
    current: int | None = None
    heading = ""
    for raw_line in text.splitlines():
        line = raw_line.strip()
        if not line:
            continue
        numbered = NUMBERED_LINE.match(line)
        if numbered:
            current = int(numbered.group(1))
            assert current not in pieces, f"paragraph {current} appears twice in the partnership text"
            pieces[current] = [numbered.group(2)]
            headings[current] = heading
        elif current is not None and not pieces[current][-1].endswith((".", ":")) and line[0].islower():
            pieces[current].append(line)
        else:
            heading = line
            current = None
    paragraphs = {number: drop_emphasis(" ".join(parts)) for number, parts in pieces.items()}
    return paragraphs, headings


@cache
def _partnership_text(path: Path) -> tuple[dict[int, str], dict[int, str]]:
    return parse_partnership_text(path.read_text(encoding="utf-8"))


@pytest.fixture
def partnership_text() -> tuple[dict[int, str], dict[int, str]]:
    """Paragraphs and headings of the partnership text; skips the test when the text is not available."""
    path = shared_dir() / TEXT_IN_SHARED_DIR
    if not path.is_file():
        pytest.skip(
            f"partnership text not found at {path}: verbatim texts cannot be compared. Set "
            "PARTNERSHIP_SHARED_DIR to the shared folder that contains partnership-text/."
        )
    return _partnership_text(path)


def actions_by_paragraph() -> dict[int, dict[str, Any]]:
    """The actions keyed by their Annex paragraph."""
    return {action["paragraph"]: action for action in load_programme()["actions"]}


def japanese_strings(node: Any, where: str = "") -> list[tuple[str, Any]]:
    """Every ``ja`` value in the file, with a path saying where it is."""
    found: list[tuple[str, Any]] = []
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "ja":
                found.append((f"{where}.ja", value))
            found.extend(japanese_strings(value, f"{where}.{key}"))
    elif isinstance(node, list):
        for index, item in enumerate(node):
            found.extend(japanese_strings(item, f"{where}[{index}]"))
    return found


# --- the parser itself ------------------------------------------------------------------------------------


def test_parser_finds_every_paragraph_whole(partnership_text: tuple[dict[int, str], dict[int, str]]) -> None:
    paragraphs, _ = partnership_text
    assert sorted(paragraphs) == ALL_PARAGRAPHS
    # Every paragraph of the text ends a sentence; a piece left over from a page break would not.
    unfinished = [number for number, text in paragraphs.items() if not text.endswith(".")]
    assert unfinished == []
    assert all("*" not in text for text in paragraphs.values())


def test_parser_joins_page_breaks() -> None:
    text = "Annex\n\n1. Both sides want to\n\njoin this. It *ends*.\n\nNext heading\n\n2. Second **one**."
    paragraphs, headings = parse_partnership_text(text)
    assert paragraphs == {1: "Both sides want to join this. It ends.", 2: "Second one."}
    assert headings == {1: "Annex", 2: "Next heading"}


# --- structure (no partnership text needed) ---------------------------------------------------------------


def test_header() -> None:
    programme = load_programme()
    assert programme["schema"] == 1
    assert programme["programme"]["code"] == "japan-eu-2022"
    assert str(programme["programme"]["adopted"]) == "2022-05-12"
    assert [party["code"] for party in programme["parties"]] == ["JP", "EU"]


def test_every_annex_paragraph_is_one_action() -> None:
    paragraphs = [action["paragraph"] for action in load_programme()["actions"]]
    assert sorted(paragraphs) == ANNEX_PARAGRAPHS  # each of 46-83 exactly once, nothing else


def test_areas_cover_section_4_once() -> None:
    areas = load_programme()["areas"]
    assert len(areas) == 15
    covered = sorted(number for area in areas for number in area["paragraphs"])
    assert covered == AREA_PARAGRAPHS
    assert [area["paragraphs"] for area in areas if len(area["paragraphs"]) > 1] == [[34, 35]]


def test_codes_are_unique_slugs() -> None:
    programme = load_programme()
    for section in ("organisations", "areas"):
        codes = [entry["code"] for entry in programme[section]]
        assert len(codes) == len(set(codes)), f"duplicate {section} code"
        assert [code for code in codes if not SLUG.match(code)] == []


def test_organisations_are_well_formed() -> None:
    for organisation in load_programme()["organisations"]:
        code = organisation["code"]
        assert organisation["party"] in PARTIES | {None}, code
        assert organisation["kind"] in KINDS, code
        assert organisation["name"]["en"], code
        assert set(organisation["paragraphs"]) <= set(ALL_PARAGRAPHS), code
        assert organisation["paragraphs"] == sorted(set(organisation["paragraphs"])), code
        if organisation["kind"] == "mechanism":
            assert organisation["party"] is None, f"{code}: a mechanism is shared by both sides"


def test_every_japanese_string_is_japanese() -> None:
    strings = japanese_strings(load_programme())
    assert len(strings) > 100
    wrong = [
        (where, value) for where, value in strings if not (isinstance(value, str) and JAPANESE.search(value))
    ]
    assert wrong == []


def test_action_titles() -> None:
    for action in load_programme()["actions"]:
        title = action["title"]
        assert 0 < len(title["en"].strip()) <= 70, action["paragraph"]
        assert title["ja"].strip(), action["paragraph"]
        assert action["heading"]["en"].strip() and action["heading"]["ja"].strip(), action["paragraph"]


def test_references_resolve() -> None:
    programme = load_programme()
    areas = {area["code"] for area in programme["areas"]}
    organisations = {organisation["code"] for organisation in programme["organisations"]}
    for action in programme["actions"]:
        paragraph = action["paragraph"]
        assert action["area"] in areas, paragraph
        assert action["leads"], paragraph
        assert len(action["leads"]) == len(set(action["leads"])), paragraph
        assert set(action["leads"]) <= organisations, paragraph
        related = action["related"]
        assert related == sorted(set(related)), f"{paragraph}: related must be sorted, without duplicates"
        assert paragraph not in related, paragraph
        assert set(related) <= set(ANNEX_PARAGRAPHS), paragraph


def test_related_is_symmetric() -> None:
    actions = actions_by_paragraph()
    one_sided = [
        (paragraph, other)
        for paragraph, action in actions.items()
        for other in action["related"]
        if paragraph not in actions[other]["related"]
    ]
    assert one_sided == []


def test_para_69_links_the_areas_of_technologies_enhancing_trust() -> None:
    # paras 35 and 69: privacy, cybersecurity, semiconductor supply chains, 5G/B5G, HPC, quantum, platforms
    areas_named = {"privacy", "cybersecurity", "semiconductors", "5g-b5g", "hpc-quantum", "online-platforms"}
    actions = actions_by_paragraph()
    linked_areas = {actions[other]["area"] for other in actions[69]["related"]}
    assert areas_named <= linked_areas


def test_every_action_has_a_japanese_and_a_european_lead() -> None:
    organisations = load_programme()["organisations"]
    party = {organisation["code"]: organisation["party"] for organisation in organisations}
    for action in load_programme()["actions"]:
        sides = {party[code] for code in action["leads"]}
        assert {"JP", "EU"} <= sides, action["paragraph"]


# --- verbatim texts (need the partnership text) -----------------------------------------------------------


@pytest.mark.parametrize("paragraph", ANNEX_PARAGRAPHS)
def test_action_text_is_verbatim(
    paragraph: int, partnership_text: tuple[dict[int, str], dict[int, str]]
) -> None:
    paragraphs, _ = partnership_text
    assert actions_by_paragraph()[paragraph]["text"] == paragraphs[paragraph]


@pytest.mark.parametrize("paragraph", ANNEX_PARAGRAPHS)
def test_action_heading_is_the_annex_heading(
    paragraph: int, partnership_text: tuple[dict[int, str], dict[int, str]]
) -> None:
    _, headings = partnership_text
    assert actions_by_paragraph()[paragraph]["heading"]["en"] == headings[paragraph]


def test_area_texts_are_verbatim(partnership_text: tuple[dict[int, str], dict[int, str]]) -> None:
    paragraphs, _ = partnership_text
    for area in load_programme()["areas"]:
        expected = "\n\n".join(paragraphs[number] for number in area["paragraphs"])
        assert area["text"] == expected, area["code"]


def test_organisation_paragraphs_exist(partnership_text: tuple[dict[int, str], dict[int, str]]) -> None:
    paragraphs, _ = partnership_text
    for organisation in load_programme()["organisations"]:
        assert set(organisation["paragraphs"]) <= set(paragraphs), organisation["code"]

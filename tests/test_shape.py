"""STYLE.md 1: every app of ours has the same shape, and a missing house file is a decision its README
states ("No `forms.py`: ...")."""

import re
from pathlib import Path

import pytest
from django.apps import apps

REPO = Path(__file__).resolve().parents[1]
HOUSE_FILES = [
    "models.py",
    "services.py",
    "queries.py",
    "api.py",
    "views.py",
    "urls.py",
    "forms.py",
    "admin.py",
    "templates",
    "management/commands",
    "locale",
    "migrations",
]


def our_apps() -> list[Path]:
    """Our installed apps: those of src/partnership, and an example app a test installs under tests/."""
    return sorted(
        Path(config.path)
        for config in apps.get_app_configs()
        if config.name.startswith(("partnership.", "tests."))
    )


@pytest.mark.parametrize("folder", our_apps(), ids=lambda folder: folder.name)
def test_an_app_has_the_house_shape_or_says_why_not(folder):
    readme = folder / "README.md"
    assert readme.exists(), f"{folder.relative_to(REPO)} has no README.md"
    text = " ".join(readme.read_text(encoding="utf-8").split())
    # "No `forms.py`: ...", "No `views.py`, `urls.py`, `templates`: ...", "No `admin.py` yet: ..."
    explained = {
        name
        for names in re.findall(r"\bNo ((?:`[^`]+`(?:, | and | or )?)+)(?: yet)?:", text)
        for name in re.findall(r"`([^`]+)`", names)
    }
    unexplained = [name for name in HOUSE_FILES if not (folder / name).exists() and name not in explained]
    assert unexplained == [], (
        f"{folder.relative_to(REPO)} lacks {', '.join(unexplained)}: add them, or say in its README why not "
        "(a line starting 'No `NAME`:')"
    )

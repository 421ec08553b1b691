"""The Japanese catalogs are complete and safe, and pages are served in the language of their URL.

Every gettext catalog under src/partnership (one per app, plus src/partnership/locale for the package's
own modules) is read with the small parser below, so the check needs no extra dependency.
"""

import ast
import os
import re
import shutil
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[2] / "src" / "partnership"
CATALOGS = sorted(PACKAGE.glob("**/locale/*/LC_MESSAGES/*.po"))
WEB_CATALOG = PACKAGE / "web" / "locale" / "ja" / "LC_MESSAGES" / "django.po"

NAMED = re.compile(r"%\((\w+)\)[-#0 +]*\d*(?:\.\d+)?[sdifrxXeEgGc]")
POSITIONAL = re.compile(r"%[-#0 +]*\d*(?:\.\d+)?[sdifrxXeEgGc]")
BRACES = re.compile(r"\{(\w*)\}")


def parse_po(path: Path) -> list[dict]:
    """Entries of a .po file: msgid, msgid_plural, msgstr (list), flags; the header is entry 0."""
    entries: list[dict] = []
    entry: dict = {}
    key: tuple | None = None

    def close() -> None:
        nonlocal entry
        if "msgid" in entry:
            entries.append(entry)
        entry = {}

    for raw in path.read_text(encoding="utf-8").splitlines():
        line = raw.strip()
        if not line:
            close()
            continue
        if line.startswith("#~"):
            continue  # obsolete entry: not used
        if line.startswith("#,"):
            entry.setdefault("flags", set()).update(flag.strip() for flag in line[2:].split(","))
        elif line.startswith("#"):
            continue
        elif line.startswith('"'):
            if key is None:
                raise ValueError(f"{path}: continuation without a keyword: {raw!r}")
            value = ast.literal_eval(line)
            if key[0] == "msgstr":
                entry["msgstr"][key[1]] += value
            else:
                entry[key[0]] += value
        else:
            keyword, _, value = line.partition(" ")
            if "msgid" in entry and keyword in ("msgid", "msgctxt") and "msgstr" in entry:
                close()  # a new entry that follows the previous one without a blank line
            text = ast.literal_eval(value)
            if keyword.startswith("msgstr"):
                index = int(keyword[7:-1]) if keyword.startswith("msgstr[") else 0
                entry.setdefault("msgstr", {})[index] = text
                key = ("msgstr", index)
            else:
                entry[keyword] = text
                key = (keyword,)
    close()
    for item in entries:
        item.setdefault("flags", set())
        item["msgstr"] = [item.get("msgstr", {})[i] for i in sorted(item.get("msgstr", {}))]
    return entries


def messages(path: Path) -> list[dict]:
    """The translatable entries, without the header."""
    return [entry for entry in parse_po(path) if entry["msgid"] != ""]


def placeholders(text: str) -> tuple[Counter, list[str], Counter]:
    """Named %(x)s, positional %s (in order; they cannot be reordered) and {x} placeholders."""
    text = text.replace("%%", "")
    named = Counter(NAMED.findall(text))
    positional = POSITIONAL.findall(NAMED.sub("", text))
    return named, positional, Counter(BRACES.findall(text))


def catalog_id(path: Path) -> str:
    return str(path.relative_to(PACKAGE))


APPS = sorted(str(path.parent.relative_to(PACKAGE)) for path in PACKAGE.glob("**/apps.py"))


def test_there_is_a_japanese_catalog_for_every_app_and_the_package():
    found = {catalog_id(path) for path in CATALOGS}
    for owner in [f"{app}/" for app in APPS] + [""]:
        assert f"{owner}locale/ja/LC_MESSAGES/django.po" in found


def _ids(path: Path) -> set[tuple[str, str]]:
    return {(entry.get("msgctxt", ""), entry["msgid"]) for entry in messages(path)}


@pytest.mark.skipif(not shutil.which("xgettext"), reason="xgettext (GNU gettext) is not installed")
def test_every_string_marked_for_translation_is_in_its_catalog(tmp_path):
    """`make makemessages` on a copy of the code finds no string the committed catalogs lack (or keep
    needlessly): a string marked in code or a template but never extracted would show in English."""
    copy = tmp_path / "partnership"
    shutil.copytree(PACKAGE, copy, ignore=shutil.ignore_patterns("__pycache__", "*.mo"))
    command = [sys.executable, "-m", "partnership.cli", "makemessages", "--locale", "ja", "--no-obsolete"]
    command += ["--no-location", "--verbosity", "0"]
    environment = {**os.environ, "PARTNERSHIP_DATA_DIR": str(tmp_path / "var")}
    for app in APPS:
        subprocess.run(command, cwd=copy / app, env=environment, check=True)
    ignores = [flag for app in APPS for flag in ("--ignore", f"{app}/*")]
    subprocess.run(command + ignores, cwd=copy, env=environment, check=True)
    for path in CATALOGS:
        extracted = _ids(copy / path.relative_to(PACKAGE))
        committed = _ids(path)
        assert extracted - committed == set(), f"{catalog_id(path)}: run `make makemessages` and translate"
        assert committed - extracted == set(), (
            f"{catalog_id(path)}: entries no longer used; run `make makemessages`"
        )


@pytest.mark.parametrize("path", CATALOGS, ids=catalog_id)
def test_catalog_has_no_untranslated_or_fuzzy_entry(path):
    entries = parse_po(path)
    header = entries[0]
    assert header["msgid"] == "", "the catalog has no header"
    assert "fuzzy" not in header["flags"], "the header is marked fuzzy"
    if "/ja/" in str(path):
        assert "Plural-Forms: nplurals=1; plural=0;" in header["msgstr"][0]
    untranslated = [e["msgid"] for e in entries[1:] if not all(s.strip() for s in e["msgstr"])]
    fuzzy = [e["msgid"] for e in entries[1:] if "fuzzy" in e["flags"]]
    assert untranslated == [], "untranslated; run `make makemessages` and translate them"
    assert fuzzy == [], "fuzzy; check the translation and remove the flag"


@pytest.mark.parametrize("path", CATALOGS, ids=catalog_id)
def test_translations_keep_the_placeholders(path):
    wrong = []
    for entry in messages(path):
        for index, translation in enumerate(entry["msgstr"]):
            # msgstr[0] of a plural entry in Japanese (one form) answers both msgid and msgid_plural.
            sources = [entry["msgid"]] if index == 0 else [entry.get("msgid_plural", entry["msgid"])]
            if "msgid_plural" in entry and len(entry["msgstr"]) == 1:
                sources.append(entry["msgid_plural"])
            if translation and all(placeholders(source) != placeholders(translation) for source in sources):
                wrong.append((entry["msgid"], translation))
    assert wrong == []


@pytest.mark.parametrize("path", CATALOGS, ids=catalog_id)
def test_translations_have_no_html(path):
    tag = re.compile(r"</?[a-zA-Z][a-zA-Z0-9]*(\s[^<>]*)?/?>")
    with_html = [
        (e["msgid"], s)
        for e in messages(path)
        for s in e["msgstr"]
        if tag.search(s) and not tag.search(e["msgid"])
    ]
    assert with_html == []


def test_a_message_has_one_translation_in_all_catalogs():
    # Django merges the catalogs; a message translated two ways would depend on their precedence.
    seen: dict[tuple, dict[tuple, list[str]]] = {}
    for path in CATALOGS:
        language = path.parents[1].name
        for entry in messages(path):
            key = (language, entry.get("msgctxt"), entry["msgid"], entry.get("msgid_plural"))
            seen.setdefault(key, {}).setdefault(tuple(entry["msgstr"]), []).append(catalog_id(path))
    differing = {key[2]: versions for key, versions in seen.items() if len(versions) > 1}
    assert differing == {}


@pytest.mark.skipif(shutil.which("msgfmt") is None, reason="msgfmt (GNU gettext) is not installed")
@pytest.mark.parametrize("path", CATALOGS, ids=catalog_id)
def test_msgfmt_accepts_the_catalog(path):
    # --check verifies the header and that python-format strings keep their directives.
    result = subprocess.run(
        ["msgfmt", "--check", "--statistics", "-o", "/dev/null", str(path)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert "untranslated" not in result.stderr and "fuzzy" not in result.stderr, result.stderr


@pytest.mark.parametrize("path", CATALOGS, ids=catalog_id)
def test_compiled_catalog_is_current(path):
    compiled = path.with_suffix(".mo")
    assert compiled.exists() and compiled.stat().st_mtime >= path.stat().st_mtime, (
        f"{catalog_id(compiled)} is missing or older than its .po: run `make messages`"
    )


def web_translation(msgid: str) -> str:
    return next(entry["msgstr"][0] for entry in messages(WEB_CATALOG) if entry["msgid"] == msgid)


def test_japanese_page_has_japanese_interface(client, programme):
    response = client.get("/ja/")
    assert response.status_code == 200
    page = response.content.decode()
    assert '<html lang="ja">' in page
    for msgid in ("Programme", "Dashboard", "Japan–EU Digital Partnership", "Sign in"):
        translation = web_translation(msgid)
        assert re.search(r"[\u3040-\u30ff\u4e00-\u9fff]", translation), f"{msgid!r} is not in Japanese"
        assert translation in page
    assert ">Programme<" not in page and ">Dashboard<" not in page


def test_english_page_has_english_interface(client, programme):
    response = client.get("/en/")
    assert response.status_code == 200
    page = response.content.decode()
    assert '<html lang="en">' in page
    assert ">Programme<" in page and ">Dashboard<" in page
    assert web_translation("Programme") not in page

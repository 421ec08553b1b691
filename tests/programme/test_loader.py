"""The programme loader: idempotent, never touches progress, and refuses a bad file whole, saying where."""

import io
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from partnership.people.models import Organisation, Party
from partnership.programme import services
from partnership.programme.loader import DEFAULT_FILE, ProgrammeFileError, load_programme
from partnership.programme.models import Area, Deliverable, JointAction, ProgressUpdate

ACTION_48 = """  - paragraph: 48
    area: "5g-b5g"
"""
TITLE_48 = 'title: {en: "5G/Beyond 5G research and innovation dialogue"'
RELATED_48 = "    related: [51]\n    leads: [jp-mic, eu-dg-connect, eu-sns-ju]\n"


def edited(tmp_path: Path, *replacements: tuple[str, str]) -> Path:
    """A copy of the programme file with each (old, new) replaced once; `old` must be in it once."""
    text = DEFAULT_FILE.read_text(encoding="utf-8")
    for old, new in replacements:
        assert text.count(old) == 1, old
        text = text.replace(old, new)
    path = tmp_path / "programme.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def line_of(path: Path, fragment: str) -> int:
    """The 1-based line where `fragment` (in the file once) starts."""
    text = path.read_text(encoding="utf-8")
    assert text.count(fragment) == 1, fragment
    return text[: text.index(fragment)].count("\n") + 1


def snapshot() -> dict:
    """The whole programme as the database holds it, and the progress recorded against it."""
    return {
        "parties": list(Party.objects.values_list("code", "name_en", "name_ja", "time_zone")),
        "organisations": list(Organisation.objects.values_list("code", "party__code", "kind", "name_en")),
        "areas": list(Area.objects.values_list("code", "name_en", "position")),
        "actions": list(JointAction.objects.values_list("paragraph", "area__code", "title_en", "title_ja")),
        "leads": sorted(JointAction.leads.through.objects.values_list("jointaction_id", "organisation_id")),
        "related": sorted(
            JointAction.related.through.objects.values_list("from_jointaction_id", "to_jointaction_id")
        ),
        "updates": list(ProgressUpdate.objects.values_list("uid", "status", "narrative", "version")),
        "deliverables": list(Deliverable.objects.values_list("uid", "title", "revision", "updated_at")),
    }


# --- idempotence and updates ---------------------------------------------------------------------------


def test_loading_twice_changes_nothing(programme):
    before = snapshot()
    report = load_programme()
    assert not report.changed
    assert report.created == {} and report.updated == {}
    assert report.summary().startswith("created: nothing\nupdated: nothing")
    assert snapshot() == before


def test_the_command_loads_and_reports(programme):
    out = io.StringIO()
    call_command("load_programme", stdout=out)
    assert "created: nothing" in out.getvalue()


def test_a_changed_title_is_updated_and_progress_is_untouched(members, tmp_path):
    services.file_update(
        members["jp_lead"], 48, {"status": "on_track", "narrative": "R&I call open.", "language": "en"}
    )
    services.create_deliverable(
        members["eu_secretariat"], 48, {"title": "SNS JU joint call", "language": "en", "due_period": 2027}
    )
    before = snapshot()
    path = edited(tmp_path, (TITLE_48, 'title: {en: "5G and 6G research and innovation dialogue"'))
    report = load_programme(path)
    assert report.changed
    assert report.updated == {"actions": 1}
    assert report.created == {}
    assert JointAction.objects.get(paragraph=48).title_en == "5G and 6G research and innovation dialogue"
    after = snapshot()
    assert after["updates"] == before["updates"]
    assert after["deliverables"] == before["deliverables"]
    assert {k: v for k, v in after.items() if k != "actions"} == {
        k: v for k, v in before.items() if k != "actions"
    }
    # And loading the changed file again is a no-op.
    assert not load_programme(path).changed


def test_a_changed_lead_is_updated(programme, tmp_path):
    path = edited(tmp_path, (RELATED_48, "    related: [51]\n    leads: [jp-mic, eu-dg-connect]\n"))
    report = load_programme(path)
    assert report.updated == {"action leads": 1}
    leads = set(JointAction.objects.get(paragraph=48).leads.values_list("code", flat=True))
    assert leads == {"jp-mic", "eu-dg-connect"}


def test_a_third_party_may_join(programme, tmp_path, client):
    """Para 16: other like-minded partners may join; nothing assumes exactly two parties."""
    path = edited(
        tmp_path,
        (
            "organisations:\n",
            "  - code: KR\n"
            "    name: {en: Republic of Korea, ja: 大韓民国}\n"
            "    languages: [ko, en]\n"
            "    time_zone: Asia/Seoul\n"
            "\norganisations:\n"
            "  - code: kr-msit\n"
            "    party: KR\n"
            "    kind: secretariat\n"
            '    name: {en: "Ministry of Science and ICT"}\n',
        ),
        (RELATED_48, "    related: [51]\n    leads: [jp-mic, eu-dg-connect, eu-sns-ju, kr-msit]\n"),
    )
    report = load_programme(path)
    assert report.created == {"parties": 1, "organisations": 1}
    assert set(Party.objects.values_list("code", flat=True)) == {"JP", "EU", "KR"}
    assert "kr-msit" in client.get("/api/v1/actions/48").json()["leads"]
    assert {p["code"] for p in client.get("/api/v1/parties").json()} == {"JP", "EU", "KR"}
    assert "Ministry of Science and ICT (KR)" in client.get("/en/actions/48/").content.decode()


# --- malformed files -------------------------------------------------------------------------------------


def _refused(path: Path) -> ProgrammeFileError:
    before = snapshot()
    with pytest.raises(ProgrammeFileError) as raised:
        load_programme(path)
    assert snapshot() == before
    assert str(raised.value).startswith(f"{path}:{raised.value.line}: ")
    return raised.value


def test_bad_yaml_syntax_is_refused_with_its_line(programme, tmp_path):
    path = edited(tmp_path, (RELATED_48, "    related: [51\n    leads: [jp-mic, eu-dg-connect, eu-sns-ju]\n"))
    error = _refused(path)
    assert line_of(path, "    related: [51\n") <= error.line <= line_of(path, "    related: [51\n") + 1
    assert error.reason


@pytest.mark.parametrize(
    ("old", "new"),
    [(TITLE_48, 'title: {en: "5G\\0 research"'), ("    languages: [en]\n", '    languages: [en, "e\\0n"]\n')],
    ids=["title", "languages"],
)
def test_a_nul_character_is_refused_with_its_line(programme, tmp_path, old, new):
    """YAML's "\\0" is a NUL, which PostgreSQL cannot store: refused before anything is written."""
    path = edited(tmp_path, (old, new))
    error = _refused(path)
    assert error.line == line_of(path, new)
    assert "NUL" in error.reason


def test_a_duplicate_key_is_refused_with_its_line(programme, tmp_path):
    path = edited(tmp_path, (ACTION_48, ACTION_48 + '    area: "ai"\n'))
    error = _refused(path)
    assert error.line == line_of(path, '    area: "ai"\n    heading: {en: "5G/Beyond 5G"')
    assert "duplicate key 'area'" in error.reason


def test_an_unknown_area_is_refused_with_its_line(programme, tmp_path):
    path = edited(tmp_path, (ACTION_48, '  - paragraph: 48\n    area: "6g"\n'))
    error = _refused(path)
    assert error.line == line_of(path, 'area: "6g"')
    assert error.reason == "action 48: unknown area 6g"


def test_an_unknown_lead_is_refused_with_its_line(programme, tmp_path):
    path = edited(tmp_path, (RELATED_48, "    related: [51]\n    leads: [jp-mic, jp-nobody]\n"))
    error = _refused(path)
    assert error.line == line_of(path, "leads: [jp-mic, jp-nobody]")
    assert "unknown lead organisation jp-nobody" in error.reason


def test_a_one_sided_related_link_is_refused_with_its_line(programme, tmp_path):
    path = edited(tmp_path, (RELATED_48, "    related: []\n    leads: [jp-mic, eu-dg-connect, eu-sns-ju]\n"))
    error = _refused(path)
    assert error.line == line_of(path, "    related: []\n    leads: [jp-mic, eu-dg-connect, eu-sns-ju]")
    assert "related must also list 51" in error.reason


@pytest.mark.parametrize(
    ("old", "new", "at", "reason"),
    [
        ("  - paragraph: 48\n", "  - paragraph: forty-eight\n", "paragraph: forty-eight", "must be int"),
        (RELATED_48, "    related: 51\n    leads: [jp-mic]\n", "related: 51", "must be list"),
        (RELATED_48, "    related: [51]\n    leads: jp-mic\n", "leads: jp-mic", "must be list"),
        (TITLE_48, "title: {en: 48", None, None),  # a number where text is wanted is read as text
    ],
)
def test_a_value_of_the_wrong_type_is_refused_with_its_line(programme, tmp_path, old, new, at, reason):
    path = edited(tmp_path, (old, new))
    if at is None:
        load_programme(path)
        assert JointAction.objects.get(paragraph=48).title_en == "48"
        return
    error = _refused(path)
    assert error.line == line_of(path, at)
    assert reason in error.reason


def test_a_missing_field_is_refused(programme, tmp_path):
    path = edited(
        tmp_path, ('    title: {en: "5G/Beyond 5G research and innovation dialogue"', "    old_title: {en: x")
    )
    error = _refused(path)
    assert "missing “title”" in error.reason


def test_a_title_too_long_for_the_database_is_refused_with_its_line(programme, tmp_path):
    """SQLite would store it and PostgreSQL would fail mid-load: the loader refuses it on both."""
    long_title = "A" * 201
    path = edited(tmp_path, (TITLE_48, f'title: {{en: "{long_title}"'))
    error = _refused(path)
    assert error.line == line_of(path, long_title)
    assert "title" in error.reason


def test_a_refused_file_changes_nothing_it_came_before_the_error(programme, tmp_path):
    """Parties come first in the file and in the load; a later error leaves them untouched too."""
    path = edited(
        tmp_path,
        ("name: {en: Japan, ja: 日本}", "name: {en: Nippon, ja: 日本}"),
        (RELATED_48, "    related: [51]\n    leads: [jp-nobody]\n"),
    )
    _refused(path)
    assert Party.objects.get(code="JP").name_en == "Japan"


def test_an_unreadable_file_is_refused(programme, tmp_path):
    with pytest.raises(ProgrammeFileError):
        load_programme(tmp_path / "missing.yaml")
    (tmp_path / "latin1.yaml").write_bytes("schema: 1\nname: caf\xe9\n".encode("latin-1"))
    with pytest.raises(ProgrammeFileError):
        load_programme(tmp_path / "latin1.yaml")


def test_the_command_names_the_line_of_a_bad_file(programme, tmp_path):
    path = edited(tmp_path, (ACTION_48, '  - paragraph: 48\n    area: "6g"\n'))
    with pytest.raises(CommandError) as raised:
        call_command("load_programme", str(path), stdout=io.StringIO())
    message = str(raised.value)
    line = line_of(path, 'area: "6g"')
    assert f"{path}:{line}" in message
    assert "nothing changed" in message
    assert "unknown area 6g" in message

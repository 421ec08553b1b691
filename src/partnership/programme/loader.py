"""Load the partnership as data (`data/japan-eu-2022.yaml`) into the database.

Loading is idempotent and atomic: the same file twice changes nothing, a changed file updates the
programme (parties, organisations, areas, actions) and never touches progress data, and a malformed
file is refused whole, with the line and the reason.
"""

import re
import zoneinfo
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from django.db import transaction
from django.utils.translation import gettext as _

from partnership.errors import Invalid
from partnership.inputs import check_text
from partnership.people.models import Organisation, Party

from .models import Area, JointAction

DEFAULT_FILE = Path(__file__).parent / "data" / "japan-eu-2022.yaml"
ANNEX = range(46, 84)  # the Annex: initial set of joint actions, paras 46-83


class ProgrammeFileError(Exception):
    """A programme file that cannot be loaded; `line` is 1-based."""

    def __init__(self, path: str, line: int | None, reason: str) -> None:
        self.path, self.line, self.reason = path, line, reason
        where = f"{path}:{line}" if line else path
        super().__init__(f"{where}: {reason}")


class _Mapping(dict):
    """A YAML mapping that remembers the line of itself and of each key."""

    line: int = 0
    key_lines: dict[str, int]


class _Loader(yaml.SafeLoader):
    """SafeLoader that keeps line numbers and refuses duplicate keys (YAML silently keeps the last)."""

    def construct_mapping(self, node, deep=False):
        result = _Mapping()
        result.line = node.start_mark.line + 1
        result.key_lines = {}
        for key_node, value_node in node.value:
            key = self.construct_object(key_node, deep=True)
            if key in result:
                raise yaml.MarkedYAMLError(
                    "while reading a mapping", node.start_mark, f"duplicate key {key!r}", key_node.start_mark
                )
            result[key] = self.construct_object(value_node, deep=True)
            result.key_lines[key] = key_node.start_mark.line + 1
        return result


_Loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _Loader.construct_mapping)


@dataclass
class LoadReport:
    """What loading a programme file did."""

    created: dict[str, int] = field(default_factory=dict)
    updated: dict[str, int] = field(default_factory=dict)
    not_in_file: list[str] = field(default_factory=list)

    def count(self, kind: str, created: bool, changed: bool) -> None:
        if created:
            self.created[kind] = self.created.get(kind, 0) + 1
        elif changed:
            self.updated[kind] = self.updated.get(kind, 0) + 1

    @property
    def changed(self) -> bool:
        return bool(self.created or self.updated)

    def summary(self) -> str:
        def part(counts: dict[str, int]) -> str:
            return ", ".join(f"{n} {kind}" for kind, n in sorted(counts.items())) or "nothing"

        lines = [f"created: {part(self.created)}", f"updated: {part(self.updated)}"]
        if self.not_in_file:
            lines.append("kept though no longer in the file: " + ", ".join(self.not_in_file))
        return "\n".join(lines)


def _max_length(model, field: str) -> int:
    return model._meta.get_field(field).max_length


class _Checker:
    """Reads values out of the parsed file, naming the line of anything wrong."""

    def __init__(self, path: str) -> None:
        self.path = path

    def fail(self, line: int | None, reason: str) -> ProgrammeFileError:
        return ProgrammeFileError(self.path, line, reason)

    def mapping(self, value: Any, where: str, line: int) -> _Mapping:
        if not isinstance(value, _Mapping):
            raise self.fail(line, _("%(where)s must be a mapping") % {"where": where})
        return value

    def get(
        self,
        mapping: _Mapping,
        key: str,
        kind: type | tuple,
        where: str,
        required: bool = True,
        max_length: int | None = None,
    ) -> Any:
        if key not in mapping:
            if required:
                raise self.fail(
                    mapping.line, _("%(where)s: missing “%(key)s”") % {"where": where, "key": key}
                )
            return None
        value = mapping[key]
        if kind is str and isinstance(value, int | float) and not isinstance(value, bool):
            value = str(value)
        if value is None and not required:
            return None
        if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
            names = kind.__name__ if isinstance(kind, type) else "/".join(k.__name__ for k in kind)
            raise self.fail(
                mapping.key_lines.get(key, mapping.line),
                _("%(where)s: “%(key)s” must be %(kind)s, not %(value)r")
                % {"where": where, "key": key, "kind": names, "value": value},
            )
        # YAML writes NUL as "\0" in a quoted string; PostgreSQL cannot store it (the rule of `inputs`).
        for text in [value] if isinstance(value, str) else value if isinstance(value, list) else []:
            try:
                check_text(text if isinstance(text, str) else "", key)
            except Invalid as error:
                raise self.fail(
                    mapping.key_lines.get(key, mapping.line), f"{where}: {error.message}"
                ) from None
        if isinstance(value, str) and required and not value.strip():
            raise self.fail(
                mapping.key_lines.get(key), _("%(where)s: “%(key)s” is empty") % {"where": where, "key": key}
            )
        # The database column's limit: SQLite would store a longer value, PostgreSQL fail mid-load.
        if isinstance(value, str) and max_length is not None and len(value) > max_length:
            raise self.fail(
                mapping.key_lines.get(key, mapping.line),
                _("%(where)s: “%(key)s” is longer than %(max)s characters")
                % {"where": where, "key": key, "max": max_length},
            )
        return value

    def text(self, mapping: _Mapping, key: str, where: str, max_length: int | None = None) -> dict[str, str]:
        """A bilingual text `{en: ..., ja: ...}`; English is required."""
        value = self.mapping(
            self.get(mapping, key, dict, where), f"{where}.{key}", mapping.key_lines.get(key, 0)
        )
        unknown = set(value) - {"en", "ja"}
        if unknown:
            raise self.fail(
                value.line,
                _("%(where)s: unknown language %(langs)s")
                % {"where": f"{where}.{key}", "langs": ", ".join(sorted(map(str, unknown)))},
            )
        return {
            "en": self.get(value, "en", str, f"{where}.{key}", max_length=max_length),
            "ja": self.get(value, "ja", str, f"{where}.{key}", False, max_length) or "",
        }

    def items(self, mapping: _Mapping, key: str, where: str) -> list[tuple[_Mapping, str]]:
        values = self.get(mapping, key, list, where)
        line = mapping.key_lines.get(key, mapping.line)
        return [(self.mapping(item, f"{key}[{i}]", line), f"{key}[{i}]") for i, item in enumerate(values)]

    def int_list(self, mapping: _Mapping, key: str, where: str, required: bool = True) -> list[int]:
        values = self.get(mapping, key, list, where, required) or []
        for value in values:
            if not isinstance(value, int) or isinstance(value, bool):
                raise self.fail(
                    mapping.key_lines.get(key),
                    _("%(where)s: “%(key)s” must list paragraph numbers") % {"where": where, "key": key},
                )
        return values


def parse(path: str | Path) -> dict[str, Any]:
    """Read and check a programme file; return plain data, or raise ProgrammeFileError."""
    path = Path(path)
    name = str(path)
    try:
        raw = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise ProgrammeFileError(name, None, str(error)) from None
    try:
        document = yaml.load(raw, Loader=_Loader)  # noqa: S506 - _Loader is a SafeLoader
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        raise ProgrammeFileError(name, mark.line + 1 if mark else None, error.problem or str(error)) from None
    except yaml.YAMLError as error:
        raise ProgrammeFileError(name, None, str(error)) from None
    check = _Checker(name)
    top = check.mapping(document, _("the file"), 1)
    if top.get("schema") != 1:
        raise check.fail(top.key_lines.get("schema", 1), _("“schema” must be 1"))

    parties = _parties(check, top)
    organisations = _organisations(check, top, parties)
    areas = _areas(check, top)
    actions = _actions(check, top, areas, organisations)
    _check_related(check, actions)
    return {"parties": parties, "organisations": organisations, "areas": areas, "actions": actions}


def _parties(check: _Checker, top: Any) -> dict[str, dict[str, Any]]:
    """The file's parties, by code."""
    parties = {}
    for item, where in check.items(top, "parties", "file"):
        code = check.get(item, "code", str, where)
        if not re.fullmatch(r"[A-Z]{2,8}", code):
            raise check.fail(
                item.key_lines["code"],
                _("%(where)s: party code must be 2-8 capital letters") % {"where": where},
            )
        if code in parties:
            raise check.fail(
                item.line, _("%(where)s: party %(code)s appears twice") % {"where": where, "code": code}
            )
        zone = check.get(item, "time_zone", str, where, max_length=_max_length(Party, "time_zone"))
        try:
            zoneinfo.ZoneInfo(zone)
        except (zoneinfo.ZoneInfoNotFoundError, ValueError):
            raise check.fail(
                item.key_lines["time_zone"],
                _("%(where)s: unknown time zone %(zone)s") % {"where": where, "zone": zone},
            ) from None
        languages = check.get(item, "languages", list, where)
        parties[code] = {
            "name": check.text(item, "name", where, _max_length(Party, "name_en")),
            "languages": languages,
            "time_zone": zone,
        }
    return parties


def _organisations(check: _Checker, top: Any, parties: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """The file's organisations, by code; each names a known party (or none)."""
    kinds = {choice.value for choice in Organisation.Kind}
    organisations = {}
    for item, where in check.items(top, "organisations", "file"):
        code = check.get(item, "code", str, where, max_length=_max_length(Organisation, "code"))
        if not re.fullmatch(r"[a-z0-9][a-z0-9-]*", code):
            raise check.fail(
                item.key_lines["code"], _("%(where)s: code must be a lowercase slug") % {"where": where}
            )
        if code in organisations:
            raise check.fail(
                item.line,
                _("%(where)s: organisation %(code)s appears twice") % {"where": where, "code": code},
            )
        party = check.get(item, "party", str, where, required=False)
        if party is not None and party not in parties:
            raise check.fail(
                item.key_lines["party"],
                _("%(where)s: unknown party %(party)s") % {"where": where, "party": party},
            )
        kind = check.get(item, "kind", str, where)
        if kind not in kinds:
            raise check.fail(
                item.key_lines["kind"],
                _("%(where)s: kind must be one of %(kinds)s")
                % {"where": where, "kinds": ", ".join(sorted(kinds))},
            )
        organisations[code] = {
            "party": party,
            "kind": kind,
            "name": check.text(item, "name", where, _max_length(Organisation, "name_en")),
            "paragraphs": check.int_list(item, "paragraphs", where, required=False),
        }
    return organisations


def _areas(check: _Checker, top: Any) -> dict[str, dict[str, Any]]:
    """The file's priority areas, by code."""
    areas = {}
    for item, where in check.items(top, "areas", "file"):
        code = check.get(item, "code", str, where, max_length=_max_length(Area, "code"))
        if code in areas:
            raise check.fail(
                item.line, _("%(where)s: area %(code)s appears twice") % {"where": where, "code": code}
            )
        areas[code] = {
            "name": check.text(item, "name", where, _max_length(Area, "name_en")),
            "paragraphs": check.int_list(item, "paragraphs", where),
            "text": check.get(item, "text", str, where),
        }
    return areas


def _actions(
    check: _Checker, top: Any, areas: dict[str, Any], organisations: dict[str, Any]
) -> dict[int, dict[str, Any]]:
    """The file's joint actions, by paragraph; each in a known area, led by known organisations."""
    actions: dict[int, dict[str, Any]] = {}
    for item, where in check.items(top, "actions", "file"):
        paragraph = check.get(item, "paragraph", int, where)
        where = _("action %(paragraph)s") % {"paragraph": paragraph}
        if paragraph in actions:
            raise check.fail(item.line, _("%(where)s appears twice") % {"where": where})
        area = check.get(item, "area", str, where)
        if area not in areas:
            raise check.fail(
                item.key_lines["area"], _("%(where)s: unknown area %(area)s") % {"where": where, "area": area}
            )
        leads = check.get(item, "leads", list, where)
        for lead in leads:
            if lead not in organisations:
                raise check.fail(
                    item.key_lines["leads"],
                    _("%(where)s: unknown lead organisation %(code)s") % {"where": where, "code": lead},
                )
        actions[paragraph] = {
            "area": area,
            "heading": check.text(item, "heading", where, _max_length(JointAction, "heading_en")),
            "title": check.text(item, "title", where, _max_length(JointAction, "title_en")),
            "text": check.get(item, "text", str, where),
            "related": check.int_list(item, "related", where, required=False),
            "leads": leads,
            "_related_line": item.key_lines.get("related", item.line),
        }
    return actions


def _check_related(check: _Checker, actions: dict[int, dict[str, Any]]) -> None:
    """Related actions exist, are not the action itself, and list each other."""
    for paragraph, action in actions.items():
        for other in action["related"]:
            if other not in actions or other == paragraph:
                raise check.fail(
                    action["_related_line"],
                    _("action %(paragraph)s: related action %(other)s is not in the file")
                    % {"paragraph": paragraph, "other": other},
                )
            # Links are symmetric in the database; a one-sided link would flip on every load.
            if paragraph not in actions[other]["related"]:
                raise check.fail(
                    actions[other]["_related_line"],
                    _("action %(other)s: related must also list %(paragraph)s (links are mutual)")
                    % {"paragraph": paragraph, "other": other},
                )


def _sync(model, lookup: dict[str, Any], values: dict[str, Any], report: LoadReport, kind: str):
    """Create or update one row, saving only when something differs (so a second load is a no-op)."""
    obj = model.objects.filter(**lookup).first()
    if obj is None:
        report.count(kind, created=True, changed=True)
        return model.objects.create(**lookup, **values)
    changed = [name for name, value in values.items() if getattr(obj, name) != value]
    if changed:
        for name in changed:
            setattr(obj, name, values[name])
        obj.save(update_fields=changed)
        report.count(kind, created=False, changed=True)
    return obj


@transaction.atomic
def load_programme(path: str | Path = DEFAULT_FILE) -> LoadReport:
    """Load a programme file into the database; see the module docstring for the guarantees."""
    data = parse(path)
    report = LoadReport()
    parties = {
        code: _sync(
            Party,
            {"code": code},
            {
                "name_en": p["name"]["en"],
                "name_ja": p["name"]["ja"],
                "languages": p["languages"],
                "time_zone": p["time_zone"],
            },
            report,
            "parties",
        )
        for code, p in data["parties"].items()
    }
    organisations = {
        code: _sync(
            Organisation,
            {"code": code},
            {
                "party": parties[o["party"]] if o["party"] else None,
                "kind": o["kind"],
                "name_en": o["name"]["en"],
                "name_ja": o["name"]["ja"],
                "paragraphs": o["paragraphs"],
            },
            report,
            "organisations",
        )
        for code, o in data["organisations"].items()
    }
    areas = {
        code: _sync(
            Area,
            {"code": code},
            {
                "name_en": a["name"]["en"],
                "name_ja": a["name"]["ja"],
                "paragraphs": a["paragraphs"],
                "text_en": a["text"],
                "position": position,
            },
            report,
            "areas",
        )
        for position, (code, a) in enumerate(data["areas"].items())
    }
    actions = {}
    for paragraph, a in data["actions"].items():
        actions[paragraph] = _sync(
            JointAction,
            {"paragraph": paragraph},
            {
                "area": areas[a["area"]],
                "heading_en": a["heading"]["en"],
                "heading_ja": a["heading"]["ja"],
                "title_en": a["title"]["en"],
                "title_ja": a["title"]["ja"],
                "text_en": a["text"],
            },
            report,
            "actions",
        )
    for paragraph, a in data["actions"].items():
        action = actions[paragraph]
        leads = {organisations[code].pk for code in a["leads"]}
        if set(action.leads.values_list("pk", flat=True)) != leads:
            action.leads.set(leads)
            report.count("action leads", created=False, changed=True)
        related = {actions[other].pk for other in a["related"]}
        if set(action.related.values_list("pk", flat=True)) != related:
            # symmetrical: setting one side sets the other, so compare before and set only on change
            action.related.set(related)
            report.count("action links", created=False, changed=True)
    # Removing a row could orphan progress data: rows no longer in the file are kept and reported.
    report.not_in_file += [
        f"action {p}"
        for p in JointAction.objects.exclude(paragraph__in=actions).values_list("paragraph", flat=True)
    ]
    report.not_in_file += [
        f"area {c}" for c in Area.objects.exclude(code__in=areas).values_list("code", flat=True)
    ]
    return report

"""The common reporting template (para 64): one data model both regimes' records map into, and the
reports generated from it per platform and period.

- `mapping()`: `data/common_template.json`, the common model field by field with where each comes from
  in the DSA's statements and in Japan's records, both directions, and what is lost.
- `dsa_template(platform, start, end)`: the quantitative template of Implementing Regulation (EU)
  2024/2835, in its sheets (`SHEETS`, the 01_ID ... 10_A423_AMAR parts), from the rollups `DailyCount`
  (one query; never the statements).
- `japan_items(platform, year)`: the yearly publication items under Art 28 from the removal requests
  (one grouped query).
- `common(platform, start, end)`: the common template's figures from both.

A figure the records cannot give is `NotComputable(reason)`, shown as "not computable: <reason>", never
as zero. `as_csv`/`as_xlsx` write a report in the Regulation's layout (section, table, row, column).
"""

from __future__ import annotations

import csv
import datetime
import io
import json
import re
from collections import defaultdict
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from django.contrib.auth.models import AnonymousUser, User
from django.db.models import Count, Sum
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _

from partnership.errors import Invalid, NotFound
from partnership.people.models import Organisation

from . import japan, schema
from .models import DailyCount, RemovalRequest

MAPPING_PATH = Path(__file__).parent / "data" / "common_template.json"
#: The longest period one report covers (the Regulation's periods are a half-year or a year).
LONGEST_DAYS = 3 * 366


@dataclass(frozen=True)
class NotComputable:
    """A figure the records cannot give, and why."""

    reason: str

    def __str__(self) -> str:
        return _("not computable: %(reason)s") % {"reason": self.reason}


Figure = int | float | str | NotComputable | None


NO_NOTICE_TIME = gettext_lazy("no notice time recorded")
NO_NOTICE_RECORDS = gettext_lazy("statements of reasons record decisions, not the notices received")
NO_ORDER_RECORDS = gettext_lazy("statements of reasons do not record Member State orders")
NO_COMPLAINTS = gettext_lazy("statements of reasons carry no complaint or its outcome")
NO_ACCURACY = gettext_lazy("statements of reasons carry no reversal of a decision")
NO_STAFF = gettext_lazy("no human resources are recorded")
NO_RECIPIENTS = gettext_lazy("no monthly active recipients are recorded")
NO_AUTOMATION_JP = gettext_lazy("Japan's records do not say whether means were automated")
NO_RECORDS = gettext_lazy("no records were filed for this period")

#: The Regulation's quantitative template, as the Commission's CSV parts name its tables.
SHEETS = (
    ("01_ID", "1.1", gettext_lazy("Report identification")),
    ("02_categories", "1.1", gettext_lazy("Categories of illegal content and of incompatibility")),
    ("03_A151A_MSO", "1.2", gettext_lazy("Art 15(1)(a): orders from Member States' authorities")),
    ("04_A151B_Notices", "1.3", gettext_lazy("Art 15(1)(b): notices under Art 16")),
    ("05_A151C_Own_Illegal", "1.4", gettext_lazy("Art 15(1)(c): own-initiative moderation, illegal content")),
    (
        "06_A151D_241AB_Own_TC",
        "1.4",
        gettext_lazy("Art 15(1)(c): own-initiative moderation, terms and conditions"),
    ),
    (
        "07_Appeals",
        "1.5",
        gettext_lazy("Arts 15(1)(d), 24(1)(a),(b): complaints, out-of-court settlement, suspensions"),
    ),
    ("08_A151BCE_422C_Auto", "1.6", gettext_lazy("Automated means and accuracy indicators")),
    ("09_A422AB_Human", "1.7", gettext_lazy("Arts 42(2)(a),(b): human resources")),
    ("10_A423_AMAR", "1.8", gettext_lazy("Art 42(3): average monthly active recipients")),
)

NOTICE_SOURCES = ("SOURCE_ARTICLE_16", "SOURCE_TRUSTED_FLAGGER")
ILLEGAL = "DECISION_GROUND_ILLEGAL_CONTENT"
INCOMPATIBLE = "DECISION_GROUND_INCOMPATIBLE_CONTENT"


@cache
def _mapping_data() -> dict[str, Any]:
    found: dict[str, Any] = json.loads(MAPPING_PATH.read_text(encoding="utf-8"))
    return found


def _lang(entry: dict[str, str]) -> str:
    return entry["ja"] if (get_language() or "en").startswith("ja") else entry["en"]


def mapping(reader: User | AnonymousUser | None = None) -> list[dict[str, str]]:
    """The common model field by field in the reader's language: the field, its DSA source and its
    Japanese source, what is lost from DSA to Japan and from Japan to the DSA. Public."""
    return [
        {
            "field": row["field"],
            "label": _lang(row["label"]),
            "dsa": row["dsa"],
            "japan": row["japan"],
            "dsa_to_japan": _lang(row["dsa_to_japan"]),
            "japan_to_dsa": _lang(row["japan_to_dsa"]),
        }
        for row in _mapping_data()["fields"]
    ]


def platform(code: str) -> Organisation:
    found = (
        Organisation.objects.filter(kind=Organisation.Kind.PLATFORM, code=code).first()
        if "\x00" not in code and len(code) <= 100
        else None
    )
    if found is None:
        raise NotFound(_("There is no platform %(code)s.") % {"code": code[:64]})
    return found


#: The days a report's period may cover (as `japan_items`' years): a date past them is a typing error,
#: and the last day of the calendar has no day after it to end a period on.
FIRST_DAY, LAST_DAY = datetime.date(2000, 1, 1), datetime.date(2100, 12, 31)
_DAY = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


def period(start: str | None, end: str | None) -> tuple[datetime.date, datetime.date]:
    """A report's period from its `start` and `end` (YYYY-MM-DD, both days included, nothing else: the
    text names the downloads, so no more of it than a date is ever taken)."""
    days: list[datetime.date] = []
    for field, text in (("start", start), ("end", end)):
        try:
            if not _DAY.fullmatch(str(text or "")):
                raise ValueError
            day = datetime.date.fromisoformat(str(text))
        except ValueError:
            raise Invalid(
                _("%(field)s must be a date as 2025-07-01.") % {"field": field}, {field: _("a date")}
            ) from None
        if not FIRST_DAY <= day <= LAST_DAY:
            raise Invalid(
                _("%(field)s must be a date between %(first)s and %(last)s.")
                % {"field": field, "first": FIRST_DAY.isoformat(), "last": LAST_DAY.isoformat()},
                {field: _("out of range")},
            )
        days.append(day)
    first, last = days
    if last < first or (last - first).days > LONGEST_DAYS:
        raise Invalid(
            _("The period must end after it starts and last at most %(days)s days.") % {"days": LONGEST_DAYS},
            {"end": _("out of range")},
        )
    return first, last


def download_name(report: dict[str, Any], kind: str) -> str:
    """The file name of a DSA template's download, from the platform's stored code and the parsed period
    only (never the request's text: a quote or a line break there broke the header)."""
    code = re.sub(r"[^A-Za-z0-9_-]", "_", report["platform"]["code"])
    return f"dsa-template-{code}-{report['start'].isoformat()}-{report['end'].isoformat()}.{kind}"


def _row(sheet: str, table: str, key: str, column: str, value: Figure) -> dict[str, Any]:
    return {"sheet": sheet, "table": table, "row": key, "column": column, "value": value}


def dsa_template(
    reader: User | AnonymousUser | None, code: str, start: datetime.date, end: datetime.date
) -> dict[str, Any]:
    """The quantitative template of Regulation (EU) 2024/2835 for a platform and period, from the
    rollups (statements are public, so is this). Categories in the set in force from 1 July 2025."""
    found = platform(code)
    counts = (
        DailyCount.objects.filter(platform=found, day__gte=start, day__lte=end)
        .values("category", "decision_ground", "source_type", "automated_detection", "automated_decision")
        .annotate(total=Sum("statements"))
    )
    # (category, measure) -> statements
    cell: dict[tuple[str, str], int] = defaultdict(int)
    automated: dict[str, int] = defaultdict(int)
    total = 0
    for row in counts:
        category, n = schema.current_category(row["category"]), int(row["total"])
        total += n
        source, ground = row["source_type"], row["decision_ground"]
        keys = []
        if source == "SOURCE_TYPE_OTHER_NOTIFICATION":
            keys.append("other_notification")
        elif source in NOTICE_SOURCES:
            keys.append("notice_law" if ground == ILLEGAL else "notice_tc")
            if source == "SOURCE_TRUSTED_FLAGGER":
                keys.append("notice_law_tf" if ground == ILLEGAL else "notice_tc_tf")
        else:
            own = "own_illegal" if ground == ILLEGAL else "own_tc"
            keys.append(own)
            if row["automated_detection"]:
                keys.append(own + "_auto")
        for key in keys:
            cell[(category, key)] += n
            cell[("TOTAL", key)] += n
        automated["detection_yes" if row["automated_detection"] else "detection_no"] += n
        automated[row["automated_decision"]] += n
    categories = sorted({category for category, _key in cell if category != "TOTAL"}) + ["TOTAL"]
    rows: list[dict[str, Any]] = [
        _row("01_ID", "1.1", "platform", _("Provider"), found.name),
        _row("01_ID", "1.1", "platform_code", _("Platform"), found.code),
        _row("01_ID", "1.1", "start", _("Start of the period"), start.isoformat()),
        _row("01_ID", "1.1", "end", _("End of the period"), end.isoformat()),
        _row("01_ID", "1.1", "statements", _("Statements of reasons counted"), total),
    ]
    for category in categories[:-1]:
        rows.append(_row("02_categories", "1.1", category, _("Category"), schema.category_label(category)))
    for category in categories:
        value = cell.get((category, "other_notification"), 0)
        rows.append(
            _row(
                "03_A151A_MSO",
                "1.2.1",
                category,
                _("Number of orders received"),
                NotComputable(str(NO_ORDER_RECORDS)),
            )
        )
        rows.append(
            _row(
                "03_A151A_MSO",
                "1.2.1",
                category,
                _("Actions following other notifications (including orders)"),
                value,
            )
        )
        rows.append(
            _row(
                "03_A151A_MSO",
                "1.2.1",
                category,
                _("Median time to take action"),
                NotComputable(str(NO_NOTICE_TIME)),
            )
        )
    for category in categories:
        get = lambda key, category=category: cell.get((category, key), 0)  # noqa: E731
        rows += [
            _row(
                "04_A151B_Notices",
                "1.3",
                category,
                _("Number of notices received"),
                NotComputable(str(NO_NOTICE_RECORDS)),
            ),
            _row(
                "04_A151B_Notices",
                "1.3",
                category,
                _("Number of notices received from trusted flaggers"),
                NotComputable(str(NO_NOTICE_RECORDS)),
            ),
            _row(
                "04_A151B_Notices",
                "1.3",
                category,
                _("Number of actions taken on the basis of the law"),
                get("notice_law"),
            ),
            _row(
                "04_A151B_Notices",
                "1.3",
                category,
                _("Number of actions taken on the basis of the law (trusted flaggers)"),
                get("notice_law_tf"),
            ),
            _row(
                "04_A151B_Notices",
                "1.3",
                category,
                _("Number of actions taken on the basis of the terms and conditions"),
                get("notice_tc"),
            ),
            _row(
                "04_A151B_Notices",
                "1.3",
                category,
                _("Number of actions taken on the basis of the terms and conditions (trusted flaggers)"),
                get("notice_tc_tf"),
            ),
            _row(
                "04_A151B_Notices",
                "1.3",
                category,
                _("Median time to take action"),
                NotComputable(str(NO_NOTICE_TIME)),
            ),
        ]
    for sheet, key in (("05_A151C_Own_Illegal", "own_illegal"), ("06_A151D_241AB_Own_TC", "own_tc")):
        for category in categories:
            rows.append(
                _row(
                    sheet,
                    "1.4",
                    category,
                    _("Number of own-initiative actions"),
                    cell.get((category, key), 0),
                )
            )
            rows.append(
                _row(
                    sheet,
                    "1.4",
                    category,
                    _("of which detected by automated means"),
                    cell.get((category, key + "_auto"), 0),
                )
            )
    for column in (
        _("Number of complaints received"),
        _("Number of decisions reversed on complaint"),
        _("Median time to decide a complaint"),
        _("Disputes submitted to out-of-court settlement"),
        _("Suspensions for misuse (Art 23)"),
    ):
        rows.append(_row("07_Appeals", "1.5", "TOTAL", column, NotComputable(str(NO_COMPLAINTS))))
    rows += [
        _row(
            "08_A151BCE_422C_Auto",
            "1.6",
            "TOTAL",
            _("Actions on content detected by automated means"),
            automated["detection_yes"],
        ),
        _row(
            "08_A151BCE_422C_Auto",
            "1.6",
            "TOTAL",
            _("Actions on content not detected by automated means"),
            automated["detection_no"],
        ),
        _row(
            "08_A151BCE_422C_Auto",
            "1.6",
            "TOTAL",
            _("Fully automated decisions"),
            automated["AUTOMATED_DECISION_FULLY"],
        ),
        _row(
            "08_A151BCE_422C_Auto",
            "1.6",
            "TOTAL",
            _("Partially automated decisions"),
            automated["AUTOMATED_DECISION_PARTIALLY"],
        ),
        _row(
            "08_A151BCE_422C_Auto",
            "1.6",
            "TOTAL",
            _("Decisions not automated"),
            automated["AUTOMATED_DECISION_NOT_AUTOMATED"],
        ),
        _row(
            "08_A151BCE_422C_Auto",
            "1.6",
            "TOTAL",
            _("Accuracy indicators (error rate)"),
            NotComputable(str(NO_ACCURACY)),
        ),
        _row(
            "09_A422AB_Human",
            "1.7",
            "TOTAL",
            _("Human resources dedicated to content moderation"),
            NotComputable(str(NO_STAFF)),
        ),
        _row(
            "10_A423_AMAR",
            "1.8",
            "TOTAL",
            _("Average monthly active recipients"),
            NotComputable(str(NO_RECIPIENTS)),
        ),
    ]
    return {
        "platform": {"code": found.code, "name": found.name},
        "start": start,
        "end": end,
        "statements": total,
        "summary": {
            "on_notice": cell[("TOTAL", "notice_law")] + cell[("TOTAL", "notice_tc")],
            "fully_automated": automated["AUTOMATED_DECISION_FULLY"],
        },
        "sheets": [
            {"code": sheet, "section": section, "title": str(title)} for sheet, section, title in SHEETS
        ],
        "rows": rows,
    }


def publication_year(year: int) -> tuple[datetime.datetime, datetime.datetime]:
    """Japan's publication year `year` (公表年度: from 1 April of `year` to 31 March), in UTC bounds."""
    begins = japan.config()["publication_year_starts"]
    jst = datetime.timezone(datetime.timedelta(hours=9))
    first = datetime.datetime(year, begins["month"], begins["day"], tzinfo=jst)
    return first, first.replace(year=year + 1)


def japan_items(reader: User | AnonymousUser | None, code: str, year: int) -> dict[str, Any]:
    """Japan's yearly publication items (Art 28(2), (3)) of a platform for publication year `year`:
    responses by reason, reasons no response was sent, extensions by reason, notices to posters by
    measure and by reason, and responses within the deadline. Public (the Act makes them public)."""
    if not 2000 <= year <= 2100:
        raise Invalid(_("year must lie between 2000 and 2100."), {"year": _("out of range")})
    found = platform(code)
    first, last = publication_year(year)
    rows: list[dict[str, Any]] = [
        dict(row)
        for row in RemovalRequest.objects.filter(platform=found, received_at__gte=first, received_at__lt=last)
        .values(
            "reason",
            "response",
            "no_notification_reason",
            "extended",
            "extension_reason",
            "measure",
            "measure_reason",
        )
        .annotate(
            n=Count("uuid"), on_time=Count("uuid", filter=_on_time()), notified=Count("poster_notified_at")
        )
    ]
    total = sum(row["n"] for row in rows)
    items: list[dict[str, Any]] = []

    def add(article: str, item: str, key: str, value: Figure, code: str = "TOTAL") -> None:
        items.append({"article": article, "item": item, "key": key, "code": code, "value": value})

    def by(field: str, kind: str, article: str, item: str, where=lambda row: True, count="n") -> None:
        counted: dict[str, int] = defaultdict(int)
        for row in rows:
            if where(row) and row[field]:
                counted[row[field]] += row[count]
        for value in japan.codes(kind):
            add(
                article,
                item,
                japan.label(kind, value),
                counted.get(value, 0) if total else NotComputable(str(NO_RECORDS)),
                value,
            )

    add("28(2)", _("Removal requests received"), "TOTAL", total if total else NotComputable(str(NO_RECORDS)))
    by(
        "reason",
        "reasons",
        "28(2)",
        _("Notifications that a measure was taken (Art 25(1)(i)), by reason"),
        lambda r: r["response"] == "MEASURE_TAKEN",
    )
    by(
        "reason",
        "reasons",
        "28(2)",
        _("Notifications that no measure was taken (Art 25(1)(ii)), by reason"),
        lambda r: r["response"] == "NO_MEASURE",
    )
    by(
        "no_notification_reason",
        "no_notification_reasons",
        "28(2)",
        _("No notification sent (Art 25(1) proviso), by reason"),
    )
    by(
        "extension_reason",
        "extension_reasons",
        "28(2)",
        _("Period extended (Art 25(2)), by reason"),
        lambda r: r["extended"],
    )
    by("measure", "measures", "28(3)", _("Notices to posters (Art 27), by type of measure"), count="notified")
    by(
        "measure_reason",
        "reasons",
        "28(3)",
        _("Notices to posters (Art 27), by reason of the measure"),
        count="notified",
    )
    answered = sum(row["n"] for row in rows if row["response"])
    on_time = sum(row["on_time"] for row in rows)
    add(
        "25",
        _("Responses sent within %(days)s days of the request") % {"days": japan.deadline_days()},
        "TOTAL",
        on_time if answered else NotComputable(str(NO_RECORDS)),
    )
    return {
        "platform": {"code": found.code, "name": found.name},
        "year": year,
        "first": first,
        "last": last,
        "deadline_days": japan.deadline_days(),
        "deadline_status": japan.config()["response_deadline_days"]["status"],
        "total": total,
        "items": items,
    }


def _on_time():
    from django.db.models import F, Q

    return Q(responded_at__isnull=False, responded_at__lte=F("due_at"))


def common(
    reader: User | AnonymousUser | None, code: str, start: datetime.date, end: datetime.date
) -> dict[str, Any]:
    """The common template's figures for a platform and period: from its statements (rollups) and its
    removal requests (Japan), each field with its source and, where one side cannot give it, why."""
    dsa = dsa_template(reader, code, start, end)
    found = platform(code)
    first = datetime.datetime.combine(start, datetime.time(), tzinfo=datetime.UTC)
    last = datetime.datetime.combine(end + datetime.timedelta(days=1), datetime.time(), tzinfo=datetime.UTC)
    jp = RemovalRequest.objects.filter(
        platform=found, received_at__gte=first, received_at__lt=last
    ).aggregate(
        n=Count("uuid"),
        measures=Count("uuid", filter=_measure()),
        answered=Count("responded_at"),
        on_time=Count("uuid", filter=_on_time()),
        extended=Count("uuid", filter=_extended()),
        notified=Count("poster_notified_at"),
    )
    total = dsa["statements"]
    notices, auto = dsa["summary"]["on_notice"], dsa["summary"]["fully_automated"]
    none_jp = NotComputable(str(NO_RECORDS))
    has_jp = bool(jp["n"])
    fields = {row["field"]: row for row in mapping(reader)}
    figures = [
        ("decisions", total, jp["measures"] if has_jp else none_jp),
        ("notices_received", NotComputable(str(NO_NOTICE_RECORDS)), jp["n"] if has_jp else none_jp),
        ("decisions_on_notice", notices, jp["measures"] if has_jp else none_jp),
        (
            "responses_within_deadline",
            NotComputable(str(NO_NOTICE_TIME)),
            jp["on_time"] if jp["answered"] else none_jp,
        ),
        ("extensions", NotComputable(str(NO_NOTICE_TIME)), jp["extended"] if has_jp else none_jp),
        ("notices_to_posters", total, jp["notified"] if has_jp else none_jp),
        ("fully_automated_decisions", auto, NotComputable(str(NO_AUTOMATION_JP))),
    ]
    return {
        "platform": dsa["platform"],
        "start": start,
        "end": end,
        "rows": [
            {"field": key, "label": fields[key]["label"] if key in fields else key, "dsa": d, "japan": j}
            for key, d, j in figures
        ],
    }


def _measure():
    from django.db.models import Q

    return Q(response="MEASURE_TAKEN")


def _extended():
    from django.db.models import Q

    return Q(extended=True)


def shown(value: Figure) -> str:
    """A figure as a report prints it: numbers as they are, a missing one with its reason."""
    if value is None:
        return ""
    return str(value)


def as_csv(rows: list[dict[str, Any]], columns: tuple[str, ...]) -> bytes:
    """Rows as CSV (UTF-8 with a BOM, as Excel opens it), cells neutralised against formulas."""
    from partnership.spreadsheet_cells import neutralise

    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(columns)
    for row in rows:
        writer.writerow([neutralise(shown(row[column])) for column in columns])
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def dsa_as_xlsx(report: dict[str, Any]) -> bytes:
    """The DSA template as an XLSX workbook: one sheet per table of the Regulation (01_ID ...), rows by
    category, a column per figure, "not computable: ..." where the records cannot give one."""
    from openpyxl import Workbook

    from partnership.spreadsheet_cells import neutralise

    book = Workbook(write_only=True)
    for sheet in report["sheets"]:
        rows = [row for row in report["rows"] if row["sheet"] == sheet["code"]]
        columns = list(dict.fromkeys(row["column"] for row in rows))
        keys = list(dict.fromkeys(row["row"] for row in rows))
        page = book.create_sheet(sheet["code"])
        page.append([f"{sheet['section']} {sheet['title']}"])
        page.append([_("Row"), *columns])
        cells = {(row["row"], row["column"]): row["value"] for row in rows}
        for key in keys:
            line: list[Any] = [key]
            for column in columns:
                value = cells.get((key, column))
                line.append(value if isinstance(value, int | float) else neutralise(shown(value)))
            page.append(line)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def dsa_as_csv(report: dict[str, Any]) -> bytes:
    """The DSA template as one CSV in long form: sheet (the Regulation's table), section, row, column,
    value."""
    section = {sheet["code"]: sheet["section"] for sheet in report["sheets"]}
    rows = [{**row, "section": section[row["sheet"]]} for row in report["rows"]]
    return as_csv(rows, ("sheet", "section", "row", "column", "value"))


def platform_codes() -> list[dict[str, str]]:
    """Every platform's code and name, for a page's choice."""
    return [
        {"code": found.code, "name": found.name}
        for found in Organisation.objects.filter(kind=Organisation.Kind.PLATFORM).order_by("code")
    ]

"""The progress report to the Council (paras 19-20, 44): built once as data, rendered as HTML, PDF or JSON.

`build_report(year)` (build.py) reads the programme and the cycle into plain, JSON-serialisable data
that is language-neutral: titles carry both `_en` and `_ja`, statuses are codes, and every text a user
wrote carries its language tag. The renderers (render.py) pick the reader's language. `publish_report`
(publish.py) freezes that data: a published report is rendered from what was stored, so later edits
never change it. `diff_reports` (diff.py) compares two published reports.

The number of SQL queries of `build_report` is fixed: it does not grow with the number of updates,
indicator values or deliverables (latest rows come from window functions, counts from the database).
"""

from .build import LANGUAGES, PUBLISHABLE_FROM, SCHEMA, STATUSES, build_report, canonical_json, sha256_of
from .diff import diff_reports
from .preview import draft_page, draft_pdf
from .publish import (
    countersign_report,
    countersigns_for,
    public_progress,
    publish_report,
    published,
    published_reports,
    report_data,
    report_document,
    require_live_report_reader,
    verify_report,
)
from .render import (
    cjk_font_files,
    diff_text,
    published_pdf,
    render_html,
    render_json,
    render_pdf,
    style_source,
    stylesheet,
)
from .signatures import ReportInvalid, signed_message

__all__ = [
    "LANGUAGES",
    "ReportInvalid",
    "PUBLISHABLE_FROM",
    "SCHEMA",
    "STATUSES",
    "build_report",
    "canonical_json",
    "cjk_font_files",
    "countersign_report",
    "diff_reports",
    "countersigns_for",
    "diff_text",
    "draft_page",
    "draft_pdf",
    "public_progress",
    "publish_report",
    "published",
    "published_pdf",
    "published_reports",
    "render_html",
    "render_json",
    "render_pdf",
    "report_data",
    "report_document",
    "require_live_report_reader",
    "sha256_of",
    "signed_message",
    "style_source",
    "stylesheet",
    "verify_report",
]

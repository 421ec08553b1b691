"""The live report as its secretariats work on it: the draft page's tools and the draft PDF.

Publishing itself is `publish.publish_report`; the web's publish button calls it as the command does.
"""

from typing import Any

from partnership.people.permissions import (
    actor_for,
    can_preview_report,
    can_publish_report,
    require_preview_report,
)

from .build import build_report
from .publish import published, require_live_report_reader
from .render import render_pdf


def draft_page(user, year: int) -> dict[str, Any]:
    """The live data of cycle `year` for a member, and what this reader may do with it (the draft page's
    tools: a PDF preview and the publish button, for secretariats, until the report is published)."""
    require_live_report_reader(user)
    data = build_report(year)
    actor = actor_for(user)
    is_published = published(year) is not None
    return {
        "data": data,
        "tools": {
            "year": year,
            "published": is_published,
            "can_preview": can_preview_report(actor),
            "can_publish": can_publish_report(actor) and not is_published,
        },
    }


def draft_pdf(user, year: int, language: str) -> bytes:
    """The live (unpublished) report of cycle `year` as PDF, marked as a draft on every page
    (secretariats: the proof they read before publishing)."""
    require_preview_report(user)
    return render_pdf(build_report(year), language)

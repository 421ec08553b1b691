"""Template tags shared by every app's pages."""

import datetime

from django import template
from django.utils.formats import date_format
from django.utils.html import format_html
from django.utils.translation import get_language
from django.utils.translation import gettext as _

register = template.Library()

STATUS_LABELS = {
    "on_track": lambda: _("on track"),
    "at_risk": lambda: _("at risk"),
    "off_track": lambda: _("off track"),
    "done": lambda: _("done"),
    "missing": lambda: _("no update"),
    "planned": lambda: _("planned"),
    "in_progress": lambda: _("in progress"),
    "delivered": lambda: _("delivered"),
    "dropped": lambda: _("dropped"),
}
LANGUAGE_NAMES = {"en": lambda: _("English"), "ja": lambda: _("Japanese")}


@register.simple_tag
def status_badge(status: str | None) -> str:
    """A status as a coloured badge whose text says the status (colour is never the only cue)."""
    key = status or "missing"
    label = STATUS_LABELS.get(key, lambda: key)()
    return format_html('<span class="badge badge-{}">{}</span>', key, label)


def translated_by(translation: dict) -> str:
    """ "Translated by <organisation>" (in the reader's language), and "machine-assisted" when so."""
    organisation = translation.get("organisation") or {}
    reader = (get_language() or "en")[:2]
    name = (organisation.get("name_ja") if reader == "ja" else "") or organisation.get("name_en") or ""
    if translation.get("human", True):
        return _("Translated by %(organisation)s") % {"organisation": name}
    return _("Translated by %(organisation)s (machine-assisted, reviewed)") % {"organisation": name}


@register.simple_tag
def authored(text: str, language: str, translations: dict | None = None, part: str = "text") -> str:
    """User text in the reader's language: the original when it is theirs, else a person's translation
    into it (`translations`: {language: translation info}, current ones only, see
    `programme.translations`) marked "Translated by <organisation>", else the original marked
    "original in <language>" (no translation exists). `part` is the translated member shown ("text",
    or a deliverable's "description"). The one implementation for every page and the report."""
    reader = (get_language() or "en")[:2]
    if language == reader:
        return format_html('<span lang="{}">{}</span>', language, text)
    translation = (translations or {}).get(reader)
    if translation and translation.get(part):
        return format_html(
            '<span class="translated" lang="{}">{}</span> <span class="lang-marker translated-by">{}</span>',
            reader,
            translation[part],
            translated_by(translation),
        )
    name = LANGUAGE_NAMES.get(language, lambda: language)()
    return format_html(
        '<span class="untranslated" lang="{}">{}</span> <span class="lang-marker" title="{}">{}</span>',
        language,
        text,
        _("Written in %(language)s; no translation exists.") % {"language": name},
        _("original in %(language)s") % {"language": name},
    )


@register.simple_tag
def language_name(code: str) -> str:
    """The name of a text's language (English, Japanese) in the reader's language."""
    return str(LANGUAGE_NAMES.get(code, lambda: code)())


@register.simple_tag
def verbatim_marker() -> str:
    """Marks the English treaty text on a page read in another language."""
    if (get_language() or "en")[:2] == "en":
        return ""
    return format_html(
        '<span class="lang-marker" title="{}">{}</span>',
        _("The partnership text exists in English only; no translation is shown."),
        _("original in English"),
    )


@register.filter
def get_item(mapping, key):
    """`mapping|get_item:key` for dictionaries in templates."""
    return mapping.get(key) if mapping else None


@register.simple_tag
def signed_by(record) -> str:
    """The mark of a record signed by a peer party's node (read-only here); "" for this node's own.

    `record` has a `ledger_entry` (a programme or cycle record, or anything shaped like one; load it
    with the record, select_related, so a list costs no query per row), or is a report's item (a dict
    whose "signed_by" is {"party", "entry", "key_id"} or None).
    """
    if isinstance(record, dict):
        mark = record.get("signed_by")
        if not mark:
            return ""
        party, index, key = mark["party"], mark["entry"], mark.get("key_id", "")
    else:
        entry = getattr(record, "ledger_entry", None)
        if entry is None or not entry.from_peer:
            return ""
        party, index, key = entry.log, entry.index, entry.key_id
    return format_html(
        '<span class="signed-by" title="{}">{}</span>',
        _("Signing key %(key)s; this record is read-only on this node.") % {"key": key},
        _("Signed by the %(party)s node · entry %(index)s") % {"party": party, "index": index},
    )


@register.filter
def iso_date(value):
    """A date kept as ISO text (a published report's data) in the language's one date style
    ("6 Dec 2026", "2026年12月6日"); anything else unchanged."""
    if isinstance(value, str):
        try:
            return date_format(datetime.date.fromisoformat(value))
        except ValueError:
            return value
    return value

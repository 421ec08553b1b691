"""Template tags of the threat-intelligence pages."""

from django import template
from django.utils.html import format_html

from ..models import Tlp

register = template.Library()


@register.simple_tag
def tlp_badge(level: str) -> str:
    """A TLP level with its official label and colours (FIRST TLP 2.0: coloured text on black).

    The label always says the level in words, so the colour is never the only cue."""
    try:
        tlp = Tlp(level)
    except ValueError:
        return ""
    css = tlp.value.replace("+", "-")
    return format_html('<span class="tlp tlp-{}">{}</span>', css, tlp.label)

"""Panels other apps add to the dashboard, without the programme importing them (DESIGN.md: `cycle`
depends on `programme`, never the reverse). An app registers a panel from its AppConfig.ready()."""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.http import HttpRequest
from django.template.loader import render_to_string


@dataclass(frozen=True)
class Panel:
    """A template and the function that gives its context (None: nothing to show to this reader)."""

    template: str
    context: Callable[[HttpRequest], dict[str, Any] | None]
    order: int = 100


_panels: list[Panel] = []


def register(panel: Panel) -> None:
    """Add a panel to the dashboard; registering the same panel twice is harmless."""
    if panel not in _panels:
        _panels.append(panel)
        _panels.sort(key=lambda p: p.order)


def render_panels(request: HttpRequest) -> list[str]:
    """The HTML of every panel that has something to show to this reader."""
    rendered: list[str] = []
    for panel in _panels:
        context = panel.context(request)
        if context is not None:
            rendered.append(render_to_string(panel.template, context, request=request))
    return rendered

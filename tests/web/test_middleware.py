"""The Content-Security-Policy every response carries, and templates that keep to it.

The policy lets a page run only the scripts and styles served from the node's own static files: no
inline script, event handler attribute or style attribute, so that text an attacker manages to get
into a page cannot run.
"""

import re
from pathlib import Path

import pytest

SOURCE = Path(__file__).resolve().parents[2] / "src" / "partnership"


def directives(response) -> dict[str, list[str]]:
    """The response's Content-Security-Policy as directive -> sources."""
    policy = response["Content-Security-Policy"]
    parsed = {}
    for part in policy.split(";"):
        name, *sources = part.split()
        parsed[name] = sources
    return parsed


@pytest.mark.parametrize(
    "path", ["/en/", "/ja/", "/en/login/", "/en/no-such-page/", "/healthz", "/api/v1/areas"]
)
def test_every_response_carries_the_policy(client, programme, path):
    policy = directives(client.get(path))
    assert policy["default-src"] == ["'self'"]
    assert policy["script-src"] == ["'self'"]
    assert policy["style-src"] == ["'self'"]
    assert policy["object-src"] == ["'none'"]
    assert policy["base-uri"] == ["'self'"]
    assert policy["form-action"] == ["'self'"]
    assert policy["frame-ancestors"] == ["'none'"]


def test_static_files_carry_the_policy_too(client, db):
    response = client.get("/static/web/site.css")
    assert response.status_code == 200
    assert "script-src 'self'" in response["Content-Security-Policy"]


def test_the_api_docs_page_runs_only_the_node_s_own_scripts(client, db):
    """Swagger UI is served from django-ninja's static files; its page gets what it needs and no more."""
    response = client.get("/api/docs")
    assert response.status_code == 200
    policy = directives(response)
    assert policy["script-src"] == ["'self'"]
    assert "'unsafe-inline'" not in " ".join(policy.get("style-src", []))
    assert "https:" not in response["Content-Security-Policy"]
    html = response.content.decode()
    assert "cdn" not in html.lower()


def test_htmx_is_configured_for_the_policy(client, programme):
    """HTMX would otherwise add an inline <style> and evaluate hx-on attributes and scripts it swaps in."""
    html = client.get("/en/").content.decode()
    config = re.search(r"<meta name=\"htmx-config\" content='([^']*)'>", html)
    assert config, "base.html sets htmx.config through its meta tag"
    assert '"includeIndicatorStyles": false' in config.group(1)
    assert '"allowEval": false' in config.group(1)
    assert '"allowScriptTags": false' in config.group(1)


INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)(?![^>]*type=\"application/json\")[^>]*>", re.IGNORECASE)
EVENT_HANDLER = re.compile(r"\s(on[a-z]+|hx-on[:\w-]*)\s*=", re.IGNORECASE)
STYLE_ATTRIBUTE = re.compile(r"\sstyle\s*=", re.IGNORECASE)
STYLE_ELEMENT = re.compile(r"<style[^>]*>", re.IGNORECASE)
# The report is a standalone document (the same file the command line writes): its one <style> element
# is allowed by its hash (tests/cycle/test_report.py checks the page's policy names it).
STANDALONE = {"cycle/templates/cycle/report.html"}


def templates() -> list[Path]:
    return sorted(SOURCE.rglob("templates/**/*.html"))


def test_templates_hold_no_inline_script_handler_or_style_attribute():
    """What the policy would block in a browser, found in the source (the browser test visits pages)."""
    found = []
    for template in templates():
        text = template.read_text(encoding="utf-8")
        patterns = [INLINE_SCRIPT, EVENT_HANDLER, STYLE_ATTRIBUTE]
        if str(template.relative_to(SOURCE)) not in STANDALONE:
            patterns.append(STYLE_ELEMENT)
        for pattern in patterns:
            found += [
                f"{template.relative_to(SOURCE)}: {match.group(0).strip()}"
                for match in pattern.finditer(text)
            ]
    assert templates()
    assert not found, found

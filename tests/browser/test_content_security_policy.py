"""The main pages, in English and Japanese, run under the node's Content-Security-Policy without a single
violation: no inline script, handler or style that the browser refuses, HTMX included.

A violation is caught twice: the `securitypolicyviolation` event (listened for before any page script
runs) and the console error Chromium writes for it. Either one fails the test, naming the page.
"""

import pytest
from playwright.sync_api import Page, expect

from tests.helpers import plan_cycle

pytestmark = pytest.mark.browser

LISTEN = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", (event) => {
  window.__cspViolations.push(
    `${event.violatedDirective} blocked ${event.blockedURI || "inline"} ` +
      `(${event.sourceFile}:${event.lineNumber}) ${event.sample}`
  );
});
"""

PAGES = [
    "",
    "dashboard/",
    "search/?q=semiconductor",
    "search/?type=update&status=at_risk&cycle=2026",
    "areas/semiconductors/",
    "actions/46/",
    "actions/46/update/",
    "actions/46/print/",
    "cycles/",
    "cycles/2026/",
    "cycles/2026/print/",
    "cycles/2026/report/",
    "reports/",
    "progress/",
    "certificates/",
    "threat-intel/",
    "supply-chain/",
    "supply-chain/investments/",
    "supply-chain/export-controls/",
    "ledger/",
    "no-such-page/",
]


class Violations:
    """Every violation the page reported since the last `take`, from its event and from the console."""

    def __init__(self, page: Page) -> None:
        self.page = page
        self.console: list[str] = []
        page.add_init_script(LISTEN)
        page.on("console", self._console)

    def _console(self, message) -> None:
        if "Content Security Policy" in message.text:
            self.console.append(message.text)

    def take(self) -> list[str]:
        found = self.page.evaluate("window.__cspViolations || []") + self.console
        self.console = []
        return found


@pytest.fixture
def cycle_2026(jp_secretariat):
    from django.contrib.auth.models import User

    plan_cycle(
        User.objects.get(username=jp_secretariat[0]),
        {"year": 2026, "call_opens": "2026-01-15", "call_closes": "2026-03-31"},
    )


def sign_in(page: Page, base: str, username: str, password: str) -> None:
    page.goto(f"{base}/en/login/")
    page.get_by_label("User name").fill(username)
    page.get_by_label("Password").fill(password)
    page.locator("main form").get_by_role("button", name="Sign in").click()
    expect(page).to_have_url(f"{base}/en/dashboard/")


def test_the_main_pages_keep_to_the_policy_in_both_languages(live_server, page, jp_secretariat, cycle_2026):
    base = live_server.url
    violations = Violations(page)
    found = {}

    def visit(path: str) -> None:
        page.goto(f"{base}{path}")
        page.wait_for_load_state("networkidle")
        if problems := violations.take():
            found[path] = problems

    for language in ("en", "ja"):
        visit(f"/{language}/login/")
    visit("/api/docs")
    expect(page.locator(".swagger-ui .opblock").first).to_be_visible()  # Swagger UI ran under the policy

    sign_in(page, base, *jp_secretariat)
    for language in ("en", "ja"):
        for path in PAGES:
            visit(f"/{language}/{path}")
    # The report page is styled by its own <style> element, which its policy allows by hash.
    visit("/ja/cycles/2026/report/")
    assert not found, found
    expect(page.locator("h1")).to_have_css("font-size", "26.6667px")  # 20pt, from the report's CSS


def test_an_htmx_comment_works_under_the_policy(live_server, page, jp_secretariat):
    """HTMX posts the comment and swaps the list in; the form empties itself (site.js, not hx-on)."""
    base = live_server.url
    violations = Violations(page)
    sign_in(page, base, *jp_secretariat)
    page.goto(f"{base}/ja/actions/46/")
    comments = page.locator("#comments")
    form = page.locator("form[hx-post='/ja/actions/46/comments/']")
    box = form.locator("textarea")
    box.fill("CSP の下でも HTMX で投稿できる。")
    posted = []
    page.on("request", lambda request: posted.append(request.headers.get("hx-request")))
    form.get_by_role("button").click()
    expect(comments).to_contain_text("CSP の下でも HTMX で投稿できる。")
    assert not violations.take()
    expect(box).to_have_value("")
    assert "true" in posted, "the comment went through HTMX, not a full page load"
    expect(page).to_have_url(f"{base}/ja/actions/46/")

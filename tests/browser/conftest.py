"""Fixtures for the browser tests: Debian's Chromium driven by Playwright against pytest-django's live server.

The tests need /usr/bin/chromium (`apt-get install chromium fonts-noto-cjk`; never `playwright install`).
Without it they are skipped, except in CI (CI=true), where a missing browser is a failure: CI must run them.
"""

import os
from pathlib import Path

import pytest

# Playwright's sync API runs an event loop in the test's thread, and Django refuses ORM calls from a thread
# with a running loop (SynchronousOnlyOperation). The ORM calls here are plain synchronous test set-up,
# never made from inside a coroutine, so the guard has nothing to protect.
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",  # the test machines run as root, where Chromium's sandbox cannot start
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-gpu",
    "--no-first-run",
    "--disable-sync",
]
TIMEOUT_MS = 15_000


@pytest.fixture(scope="session")
def chromium_path() -> Path:
    """Debian's Chromium; skip without it, but fail in CI, which must run the browser tests."""
    if not CHROMIUM.exists():
        reason = f"{CHROMIUM} is missing: install Debian's chromium package (not `playwright install`)"
        if os.environ.get("CI") == "true":
            pytest.fail(f"CI=true and {reason}")
        pytest.skip(reason)
    return CHROMIUM


@pytest.fixture(scope="session")
def browser(chromium_path):
    """One headless Chromium for the whole session."""
    from playwright.sync_api import expect, sync_playwright

    expect.set_options(timeout=TIMEOUT_MS)  # a loaded CI machine is slower than the default 5 s
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(chromium_path), args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


def _new_page(browser, **options):
    context = browser.new_context(locale="en-GB", **options)
    context.set_default_timeout(TIMEOUT_MS)
    return context, context.new_page()


@pytest.fixture
def page(browser):
    """A fresh browser context (no cookies) and page."""
    context, page = _new_page(browser)
    yield page
    context.close()


@pytest.fixture
def page_without_javascript(browser):
    """A fresh page with JavaScript off: every form must still work."""
    context, page = _new_page(browser, java_script_enabled=False)
    yield page
    context.close()


@pytest.fixture
def jp_secretariat(transactional_db, programme):
    """The Japanese secretariat's account, in the live server's database (a transactional test)."""
    from partnership.people.models import Organisation
    from partnership.people.services import create_member
    from tests.conftest import MEMBERS, PASSWORD

    code, role = MEMBERS["jp_secretariat"]
    user = create_member("jp-secretariat", PASSWORD, Organisation.objects.get(code=code), role)
    return user.username, PASSWORD

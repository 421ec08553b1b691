"""The README's settings table and `settings.py` name the same PARTNERSHIP_* variables (STYLE.md 8).

`partnership.settings.DOCUMENTED` records every variable settings.py reads; the README documents them
in a markdown table whose first column holds each name in backticks. Either side may not drift.
"""

import os
import re
import runpy
import secrets
import subprocess
import sys
from pathlib import Path

import pytest

README = Path(__file__).resolve().parents[1] / "README.md"
NAME_IN_BACKTICKS = re.compile(r"`(PARTNERSHIP_[A-Z0-9_]+)`")
SEPARATOR_CELL = re.compile(r"^:?-{3,}:?$")


def table_names(markdown: str) -> set[str]:
    """PARTNERSHIP_* names in backticks in the first column of the markdown tables of `markdown`."""
    names = set()
    for line in markdown.splitlines():
        line = line.strip()
        if not line.startswith("|"):
            continue
        first_cell = line.split("|")[1].strip()
        if SEPARATOR_CELL.match(first_cell):
            continue
        names.update(NAME_IN_BACKTICKS.findall(first_cell))
    return names


def readme_names() -> set[str]:
    if not README.exists():
        pytest.fail(f"{README.name} is missing: it must document the settings in a table (STYLE.md 8)")
    names = table_names(README.read_text(encoding="utf-8"))
    if not names:
        pytest.fail(f"{README.name} has no settings table: no table row starts with a `PARTNERSHIP_...` name")
    return names


def code_names() -> set[str]:
    from partnership.settings import DOCUMENTED

    return set(DOCUMENTED)


def test_every_setting_is_in_the_readme_table():
    missing = sorted(code_names() - readme_names())
    assert not missing, "missing from the README's settings table: " + ", ".join(missing)


def test_the_readme_table_names_only_settings_that_exist():
    unknown = sorted(readme_names() - code_names())
    assert not unknown, "in the README's settings table but not read by settings.py: " + ", ".join(unknown)


def test_the_table_parser_reads_the_first_column_only():
    markdown = "\n".join(
        [
            "Set `PARTNERSHIP_IN_PROSE` to ...",
            "| Variable | Default | Meaning |",
            "| --- | --- | --- |",
            "| `PARTNERSHIP_ONE` | `1` | Like `PARTNERSHIP_IN_A_LATER_CELL`. |",
            "|`PARTNERSHIP_TWO`|(empty)|Tight cells.|",
            "| Path | What |",
            "| `/api/` | not a setting |",
        ]
    )
    assert table_names(markdown) == {"PARTNERSHIP_ONE", "PARTNERSHIP_TWO"}


# --- The production setting: PARTNERSHIP_HTTPS=true ------------------------------------------------

SETTINGS_FILE = Path(__file__).resolve().parents[1] / "src" / "partnership" / "settings.py"
PARTNERSHIP = Path(sys.executable).with_name("partnership")


def settings_read_from(monkeypatch, data_dir: Path, **variables: str) -> dict:
    """The settings module as it is read in a process whose environment holds `variables`."""
    for name in [name for name in os.environ if name.startswith("PARTNERSHIP_")]:
        monkeypatch.delenv(name)
    monkeypatch.setenv("PARTNERSHIP_DATA_DIR", str(data_dir))
    for name, value in variables.items():
        monkeypatch.setenv(name, value)
    return runpy.run_path(str(SETTINGS_FILE))


def production_environment(data_dir: Path, **variables: str) -> dict[str, str]:
    """The environment of a node run as the README's "Production" paragraph says."""
    environment = {
        name: value
        for name, value in os.environ.items()
        # The browser tests' conftest turns Django's async guard off for this process; a node never does.
        if not name.startswith("PARTNERSHIP_") and name != "DJANGO_ALLOW_ASYNC_UNSAFE"
    }
    environment.update(
        {
            "PARTNERSHIP_DATA_DIR": str(data_dir),
            "PARTNERSHIP_HTTPS": "true",
            "PARTNERSHIP_DEBUG": "false",
            "PARTNERSHIP_SECRET_KEY": secrets.token_urlsafe(50),
            "PARTNERSHIP_ALLOWED_HOSTS": "partnership.example.go.jp",
            **variables,
        }
    )
    return environment


def check_deploy(environment: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run(  # noqa: S603 (our own command)
        [str(PARTNERSHIP), "check", "--deploy", "--fail-level", "WARNING"],
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_check_deploy_passes_without_a_warning_in_the_production_setting(tmp_path):
    result = check_deploy(production_environment(tmp_path / "data"))
    assert result.returncode == 0, result.stderr
    assert "System check identified no issues" in result.stdout
    assert "WARNING" not in result.stderr + result.stdout


def test_check_deploy_warns_when_https_is_off(tmp_path):
    """The same node without PARTNERSHIP_HTTPS: cookies in clear, no HSTS; check --deploy says so."""
    result = check_deploy(production_environment(tmp_path / "data", PARTNERSHIP_HTTPS="false"))
    assert result.returncode == 1
    for warning in ("security.W004", "security.W008", "security.W012", "security.W016"):
        assert warning in result.stderr


def test_https_makes_cookies_secure_and_sends_hsts(monkeypatch, tmp_path):
    production = settings_read_from(monkeypatch, tmp_path, PARTNERSHIP_HTTPS="true")
    assert production["SESSION_COOKIE_SECURE"] is True
    assert production["CSRF_COOKIE_SECURE"] is True
    assert production["LANGUAGE_COOKIE_SECURE"] is True
    assert production["SECURE_SSL_REDIRECT"] is True
    assert production["SECURE_HSTS_SECONDS"] == 365 * 24 * 3600
    assert production["SECURE_HSTS_INCLUDE_SUBDOMAINS"] is True
    # Not behind a proxy unless told: a client could otherwise claim https with one header.
    assert production["SECURE_PROXY_SSL_HEADER"] is None


def test_development_keeps_plain_http(monkeypatch, tmp_path):
    development = settings_read_from(monkeypatch, tmp_path)
    assert development["SESSION_COOKIE_SECURE"] is False
    assert development["SECURE_SSL_REDIRECT"] is False
    assert development["SECURE_HSTS_SECONDS"] == 0


def test_the_proxy_header_is_trusted_only_when_named(monkeypatch, tmp_path):
    behind_proxy = settings_read_from(
        monkeypatch, tmp_path, PARTNERSHIP_HTTPS="true", PARTNERSHIP_TLS_PROXY_HEADER="X-Forwarded-Proto"
    )
    assert behind_proxy["SECURE_PROXY_SSL_HEADER"] == ("HTTP_X_FORWARDED_PROTO", "https")


HTTPS_SETTINGS = (
    "SESSION_COOKIE_SECURE",
    "CSRF_COOKIE_SECURE",
    "LANGUAGE_COOKIE_SECURE",
    "SECURE_SSL_REDIRECT",
    "SECURE_REDIRECT_EXEMPT",
    "SECURE_HSTS_SECONDS",
    "SECURE_HSTS_INCLUDE_SUBDOMAINS",
    "SECURE_HSTS_PRELOAD",
    "SECURE_PROXY_SSL_HEADER",
)


def test_a_node_on_https_redirects_sends_hsts_and_keeps_its_cookies_off_plain_http(
    monkeypatch, tmp_path, settings, client, members
):
    from tests.conftest import PASSWORD

    production = settings_read_from(monkeypatch, tmp_path, PARTNERSHIP_HTTPS="true")
    for name in HTTPS_SETTINGS:
        setattr(settings, name, production[name])

    plain = client.get("/en/login/")
    assert plain.status_code == 301 and plain["Location"] == "https://testserver/en/login/"
    assert client.get("/healthz").status_code == 200  # a load balancer's probe is not redirected

    page = client.get("/en/login/", secure=True)
    assert page["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains"
    assert page.cookies["csrftoken"]["secure"] is True
    signed_in = client.post("/en/login/", {"username": "jp-secretariat", "password": PASSWORD}, secure=True)
    assert signed_in.status_code == 302
    assert signed_in.cookies["sessionid"]["secure"] is True
    assert signed_in.cookies["sessionid"]["httponly"] is True
    switched = client.post("/i18n/setlang/", {"language": "ja", "next": "/ja/"}, secure=True)
    assert switched.cookies["django_language"]["secure"] is True

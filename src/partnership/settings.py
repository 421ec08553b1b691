"""Django settings, read from PARTNERSHIP_* environment variables.

Every variable is declared once through `env()`, with its default and a help line; the README's
settings table is checked against `DOCUMENTED` by a test, so the two cannot drift apart.
"""

import os
import secrets
from pathlib import Path

import dj_database_url
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent

#: name -> (default, help) for every PARTNERSHIP_* variable this module reads.
DOCUMENTED: dict[str, tuple[str, str]] = {}


def env(name: str, default: str, help_text: str) -> str:
    """Read one PARTNERSHIP_* variable and record its documentation."""
    DOCUMENTED[name] = (default, help_text)
    return os.environ.get(name, default)


def env_bool(name: str, default: bool, help_text: str) -> bool:
    value = env(name, "true" if default else "false", help_text)
    return value.strip().lower() in {"1", "true", "yes", "on"}


DATA_DIR = Path(
    env(
        "PARTNERSHIP_DATA_DIR",
        "./var",
        "Folder for the SQLite database, the generated secret key and demo password (kept mode 0700).",
    )
).resolve()
DEBUG = env_bool("PARTNERSHIP_DEBUG", False, "Django debug mode; never in production.")
HTTPS = env_bool(
    "PARTNERSHIP_HTTPS",
    False,
    "The node is reached over HTTPS only: secure cookies, HSTS, plain HTTP redirected. On in production.",
)
TLS_PROXY_HEADER = env(
    "PARTNERSHIP_TLS_PROXY_HEADER",
    "",
    "Header by which a TLS-terminating reverse proxy says a request came over HTTPS, e.g. X-Forwarded-Proto; "
    "only when every request passes through that proxy.",
)
ALLOWED_HOSTS = [
    host.strip()
    for host in env(
        "PARTNERSHIP_ALLOWED_HOSTS", "127.0.0.1,localhost", "Comma-separated host names the node answers to."
    ).split(",")
    if host.strip()
]
NODE_PARTY = env(
    "PARTNERSHIP_NODE_PARTY",
    "",
    "Code of the party running this node (JP, EU); empty for the embedded single node.",
)
NODE_KEY_FILE = Path(
    env(
        "PARTNERSHIP_NODE_KEY_FILE",
        "",
        "Ed25519 key file signing this node's records; empty means node-key.pem in the data directory.",
    )
    or DATA_DIR / "node-key.pem"
)
PEERS = env(
    "PARTNERSHIP_PEERS",
    "",
    "Peer nodes, comma-separated, each `<base URL> <verifier key>` (key from `partnership ledger key`).",
)
SYNC_INTERVAL = int(
    env(
        "PARTNERSHIP_SYNC_INTERVAL",
        "60",
        "Seconds between pulls of the peers' logs while serving; 0 turns the periodic sync off.",
    )
)
DEMO_PASSWORD = env(
    "PARTNERSHIP_DEMO_PASSWORD",
    "",
    "Password of the demo accounts; generated and kept in the data directory when empty.",
)
_database_url = env(
    "PARTNERSHIP_DATABASE_URL",
    "",
    "Database URL, e.g. postgresql://user@host:5432/name; empty means SQLite in the data directory.",
)
EMAIL_BACKEND = env(
    "PARTNERSHIP_EMAIL_BACKEND",
    "django.core.mail.backends.console.EmailBackend",
    "Django email backend; django.core.mail.backends.smtp.EmailBackend for SMTP.",
)
EMAIL_HOST = env("PARTNERSHIP_EMAIL_HOST", "localhost", "SMTP host when the SMTP backend is used.")
EMAIL_PORT = int(env("PARTNERSHIP_EMAIL_PORT", "25", "SMTP port when the SMTP backend is used."))
DEFAULT_FROM_EMAIL = env(
    "PARTNERSHIP_EMAIL_FROM", "partnership@localhost", "Sender address of the node's mail."
)
MAX_UPLOAD_BYTES = int(
    env(
        "PARTNERSHIP_MAX_UPLOAD_BYTES",
        str(5 * 1024 * 1024),
        "Largest request body or uploaded file, in bytes.",
    )
)
LOGIN_FAILURE_LIMIT = int(
    env(
        "PARTNERSHIP_LOGIN_FAILURE_LIMIT", "5", "Failed logins after which an account and address are locked."
    )
)
LOGIN_LOCKOUT_MINUTES = int(
    env("PARTNERSHIP_LOGIN_LOCKOUT_MINUTES", "15", "How long a login lockout lasts, in minutes.")
)
INVITATION_DAYS = int(
    env(
        "PARTNERSHIP_INVITATION_DAYS",
        "7",
        "Days an invitation link works (once) before the secretariat must invite again.",
    )
)
#: The parties of the route analysis (para 61), each a set of ISO 3166-1 countries:
#: `CODE:CC,CC;CODE:CC,...`. The EU's default is its 27 member states (outermost regions with ISO codes of
#: their own, such as Réunion, are left out: add RE, GP, MQ, GF, YT to count them).
EU_MEMBER_STATES = "AT,BE,BG,HR,CY,CZ,DK,EE,FI,FR,DE,GR,HU,IE,IT,LV,LT,LU,MT,NL,PL,PT,RO,SK,SI,ES,SE"
CABLE_PARTIES = env(
    "PARTNERSHIP_CABLE_PARTIES",
    f"JP:JP;EU:{EU_MEMBER_STATES}",
    "The parties of the cable route analysis, each a set of ISO 3166-1 countries: `CODE:CC,CC;CODE:CC`.",
)

SITE_URL = env(
    "PARTNERSHIP_SITE_URL",
    "http://127.0.0.1:8000",
    "Address at which people reach this node, for links in mail sent by commands (pages use the request's).",
).rstrip("/")
_secret_key = env(
    "PARTNERSHIP_SECRET_KEY", "", "Django secret key; generated into the data directory when empty."
)


def _private_folder(path: Path) -> Path:
    """Create `path` for its owner only (0700), or take group and others' access away if it exists.

    The data directory holds the database, the secret key, the node key and uploads: one readable
    file there would let another account on the machine sign in as anyone or sign as the node.
    """
    path.mkdir(mode=0o700, parents=True, exist_ok=True)
    _owner_only(path, 0o700)
    return path


def _private_file(path: Path) -> Path:
    """Create `path` empty for its owner only (0600), or take group and others' access away if it exists."""
    try:
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
    except FileExistsError:
        _owner_only(path, 0o600)
    return path


def _owner_only(path: Path, mode: int) -> None:
    """Set `mode` on `path` if its group or others may access it (files of earlier versions)."""
    try:
        if path.stat().st_mode & 0o077:
            path.chmod(mode)
    except (FileNotFoundError, PermissionError):
        pass  # not ours to change: `partnership check` reports it (partnership.W002)


def _read_or_create_secret(path: Path) -> str:
    """Return the secret kept at `path`, creating it with mode 0600 on first run."""
    if path.exists():
        return path.read_text().strip()
    _private_folder(path.parent)
    value = secrets.token_urlsafe(50)
    # O_EXCL: two processes starting together must not both write a different key.
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return path.read_text().strip()
    with os.fdopen(fd, "w") as handle:
        handle.write(value)
    return value


# At every start, so that the data directory of an earlier version (0755) becomes private too.
_owner_only(DATA_DIR, 0o700)
SECRET_KEY = _secret_key or _read_or_create_secret(DATA_DIR / "secret-key")

if _database_url:
    DATABASES = {"default": dj_database_url.parse(_database_url, conn_max_age=60)}
else:
    _sqlite_file = DATA_DIR / "partnership.sqlite3"
    _private_folder(DATA_DIR)
    # SQLite would create the file 0644. It takes an empty file as a new database, and creates its
    # -wal, -shm and -journal files with the mode of the database file; those of earlier runs are
    # tightened here.
    _private_file(_sqlite_file)
    for _suffix in ("-wal", "-shm", "-journal"):
        _owner_only(_sqlite_file.with_name(_sqlite_file.name + _suffix), 0o600)
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": _sqlite_file,
            # WAL lets readers go on while one request writes; IMMEDIATE takes the write lock at BEGIN
            # so two writers queue instead of failing with "database is locked" on upgrade.
            "OPTIONS": {
                "transaction_mode": "IMMEDIATE",
                "timeout": 20,
                "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
            },
        }
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

#: The installed exchanges and trust services (DESIGN.md, "The exchange contract"): the one place outside
#: its own folder where an exchange is named. Each registers itself from its AppConfig.ready(); the
#: URLs, API, navigation, ledger, demo and report find it through `programme.exchanges.registered()`.
EXCHANGES = [
    "partnership.trust.health_certificates",
    "partnership.exchanges.threat_intel",
    "partnership.exchanges.supply_chain",
    "partnership.exchanges.platform_reports",
    "partnership.exchanges.cable_outages",
]

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "axes",
    "ninja",
    "partnership.ledger",
    "partnership.people",
    "partnership.programme",
    "partnership.cycle",
    *EXCHANGES,
    "partnership.web",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "partnership.web.middleware.ContentSecurityPolicyMiddleware",
    # Early, so that it sees every error response of an API request.
    "partnership.api.ApiErrorBodyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "partnership.web.middleware.ReaderTimeZoneMiddleware",
    # After the language is chosen, so that the refusal is in the reader's language.
    "partnership.web.middleware.RefuseNulMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Last, so that it sees the lockout raised by authentication.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "partnership.urls"
WSGI_APPLICATION = "partnership.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "partnership.web.context.site",
            ],
        },
    }
]

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]
AXES_FAILURE_LIMIT = LOGIN_FAILURE_LIMIT
AXES_COOLOFF_TIME = LOGIN_LOCKOUT_MINUTES / 60  # hours
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "web/locked_out.html"
AXES_VERBOSE = False
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "dashboard"
LOGOUT_REDIRECT_URL = "home"

LANGUAGE_CODE = "en"
LANGUAGES = [("en", _("English")), ("ja", _("Japanese"))]
LOCALE_PATHS: list[Path] = [BASE_DIR / "locale"]
USE_I18N = True
# One date style per language ("6 Dec 2026", "2026年12月6日"): partnership/formats/<language>/formats.py.
FORMAT_MODULE_PATH = ["partnership.formats"]
TIME_ZONE = "UTC"  # stored in UTC; shown in the reader's (party's) zone
USE_TZ = True

STATIC_URL = "/static/"
# Served straight from the apps' static folders: no collectstatic step for the demo.
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = DEBUG

DATA_UPLOAD_MAX_MEMORY_SIZE = MAX_UPLOAD_BYTES
FILE_UPLOAD_MAX_MEMORY_SIZE = MAX_UPLOAD_BYTES
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"

# PARTNERSHIP_HTTPS=true is the production setting (README, "Production"): cookies never leave over
# plain HTTP, and browsers are told to use HTTPS only, for a year, on this host and its subdomains.
SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = LANGUAGE_COOKIE_SECURE = HTTPS
SECURE_SSL_REDIRECT = HTTPS
# A load balancer's health probe may come over plain HTTP from inside the network; /healthz tells it
# nothing secret, and a redirect would read as "down".
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
SECURE_HSTS_SECONDS = 365 * 24 * 3600 if HTTPS else 0
# The subdomains of a node's host name are the node's too (an operator who serves something else in
# plain HTTP below it must not turn HTTPS on for the node, and the README says so).
SECURE_HSTS_INCLUDE_SUBDOMAINS = HTTPS
# No `preload`: preload lists take whole registrable domains (a ministry's, a Commission's), so the
# decision belongs to that domain's owner and is made at its apex, not by an application on one host.
SECURE_HSTS_PRELOAD = False
# Behind a TLS-terminating proxy, Django sees plain HTTP and must be told by the proxy which scheme the
# client used. Trusting that header when no proxy overwrites it would let any client claim HTTPS, so it
# is trusted only when the operator names it.
SECURE_PROXY_SSL_HEADER = (
    ("HTTP_" + TLS_PROXY_HEADER.strip().upper().replace("-", "_"), "https")
    if TLS_PROXY_HEADER.strip()
    else None
)
SILENCED_SYSTEM_CHECKS = [
    "security.W021",  # SECURE_HSTS_PRELOAD: see above, not this application's decision
]

# Sent on every response, also in development so that the browser tests see what it blocks: scripts and
# styles from this node's static files only (no inline script, handler or style attribute), images of
# our own or data: URLs (the admin's and Swagger UI's icons), nothing in frames. The middleware is in
# web; a page that needs more (the report's own <style>) sets its policy through `partnership.csp`.
CONTENT_SECURITY_POLICY = {
    "default-src": ["'self'"],
    "script-src": ["'self'"],
    "style-src": ["'self'"],
    "img-src": ["'self'", "data:"],
    "object-src": ["'none'"],
    "base-uri": ["'self'"],
    "form-action": ["'self'"],
    "frame-ancestors": ["'none'"],
}

NINJA_PAGINATION_PER_PAGE = 50

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": "WARNING"},
}

# Uploaded files (contribution attachments) live in the data directory; they are served through
# views that check who may read them, never as public media.
MEDIA_ROOT = DATA_DIR / "uploads"
FILE_UPLOAD_PERMISSIONS = 0o600
FILE_UPLOAD_DIRECTORY_PERMISSIONS = 0o700

"""Test-only settings that install the example exchange, as an operator installs a real one: by adding it
to `EXCHANGES` (docs/adding-an-exchange.md, step 2). Nothing else of the product is told about it.

The example lives under tests/, so it is never shipped: only `tests/test_example_exchange.py` runs it,
in a pytest of its own (`--ds tests.example_exchange.settings`), whose JP peer node gets these settings
too (tests/federation/nodes.py passes DJANGO_SETTINGS_MODULE on).
"""

import os

from partnership.settings import *  # noqa: F403
from partnership.settings import EXCHANGES, INSTALLED_APPS

EXCHANGES = [*EXCHANGES, "tests.example_exchange"]
# settings.py builds INSTALLED_APPS from EXCHANGES once, at import: the same list, with the example.
INSTALLED_APPS = [
    *INSTALLED_APPS[: INSTALLED_APPS.index("partnership.web")],
    "tests.example_exchange",
    *INSTALLED_APPS[INSTALLED_APPS.index("partnership.web") :],
]

# The pytest that runs the example may be started from another one on PostgreSQL (CI), whose test
# database is test_<name>: this run takes a test database of its own name.
if os.environ.get("PARTNERSHIP_DATABASE_URL", "").startswith(("postgres://", "postgresql://")):
    DATABASES["default"]["TEST"] = {"NAME": f"test_{DATABASES['default']['NAME']}_example_exchange"}  # noqa: F405

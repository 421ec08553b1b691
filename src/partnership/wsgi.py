"""WSGI entry point for production servers."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "partnership.settings")
application = get_wsgi_application()

# Serving: check the own log and pull the peers in the background (`runserver` loads this too).
from partnership.ledger.sync import start_periodic_sync  # noqa: E402 - needs the settings set up above

start_periodic_sync()

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WebConfig(AppConfig):
    """Base templates, static files, shared template tags, and the pages that belong to no single app."""

    name = "partnership.web"
    label = "web"
    verbose_name = _("Web")

    def ready(self) -> None:
        from partnership.ledger.signals import fork_detected

        from . import alerts, checks  # noqa: F401 - checks registers the system checks

        fork_detected.connect(alerts.on_fork, dispatch_uid="web.alerts.on_fork")

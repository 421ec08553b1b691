from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WebConfig(AppConfig):
    """Base templates, static files, shared template tags, and the pages that belong to no single app."""

    name = "partnership.web"
    label = "web"
    verbose_name = _("Web")

    def ready(self) -> None:
        from . import checks  # noqa: F401 - registers the system checks

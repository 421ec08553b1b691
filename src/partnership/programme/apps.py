from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ProgrammeConfig(AppConfig):
    """Areas, joint actions, deliverables, indicators and progress updates."""

    name = "partnership.programme"
    label = "programme"
    verbose_name = _("Programme")

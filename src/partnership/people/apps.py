from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PeopleConfig(AppConfig):
    """Parties, organisations, users, roles, API tokens and the permission rules."""

    name = "partnership.people"
    label = "people"
    verbose_name = _("People")

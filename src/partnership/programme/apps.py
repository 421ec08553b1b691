from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ProgrammeConfig(AppConfig):
    """Areas, joint actions, deliverables, indicators and progress updates."""

    name = "partnership.programme"
    label = "programme"
    verbose_name = _("Programme")

    def ready(self) -> None:
        # The ledger depends on nothing of ours: it learns here how to apply the programme's records
        # that arrive from a peer party's node.
        from partnership.ledger import registry
        from partnership.people.permissions import can_read_progress

        from .queries import register_search_kinds
        from .records import APPLIERS, BATCH_APPLIERS

        register_search_kinds()

        # Progress, deliverables, indicators and their values are for members until published: the
        # public log serves their content only to members and to peer nodes (issue 12).
        for record_type, applier in APPLIERS.items():
            registry.register(
                record_type, applier, BATCH_APPLIERS.get(record_type), readable_by=can_read_progress
            )

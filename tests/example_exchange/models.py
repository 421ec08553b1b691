"""Trend notes: what a party observes of trends in online environments, shared with the other (para 65)."""

import uuid

from django.db import models
from django.utils.translation import gettext_lazy as _


class Language(models.TextChoices):
    """The languages a note may be written in."""

    EN = "en", _("English")
    JA = "ja", _("Japanese")


class TrendNote(models.Model):
    """A note on a trend in online environments, authored by an organisation of a party (para 65: sharing
    information on trends). Each change is a new revision, signed into the ledger; `ledger_entry` is the
    entry of the latest one. An entry of a peer's log means the note was signed by that party's node and
    is read-only here."""

    uid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    party = models.ForeignKey("people.Party", on_delete=models.PROTECT, related_name="+")
    organisation = models.ForeignKey("people.Organisation", on_delete=models.PROTECT, related_name="+")
    title = models.CharField(_("title"), max_length=200)
    text = models.TextField(_("text"), max_length=4000)
    language = models.CharField(_("language"), max_length=2, choices=Language.choices)
    revision = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField()  # UTC, from the first record
    changed_at = models.DateTimeField()  # UTC, of the latest record
    ledger_entry = models.ForeignKey(
        "ledger.LogEntry", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["-changed_at", "-pk"]
        indexes = [models.Index(fields=["-changed_at", "-id"])]

    def __str__(self) -> str:
        return self.title

    @property
    def signed_by(self) -> str | None:
        """The party code of the peer node that signed this note, or None for this node's own."""
        entry = self.ledger_entry
        return entry.log if entry is not None and entry.from_peer else None

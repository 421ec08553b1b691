"""The programme: priority areas, joint actions, and the progress each party reports on them."""

import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from partnership.people.models import Organisation, Party, localised


class Language(models.TextChoices):
    """Languages user-authored text may be written in."""

    EN = "en", _("English")
    JA = "ja", _("Japanese")


class Area(models.Model):
    """A priority area of Section 4 (paras 26-41)."""

    code = models.SlugField(_("code"), max_length=64, unique=True)
    name_en = models.CharField(_("name (English)"), max_length=200)
    name_ja = models.CharField(_("name (Japanese)"), max_length=200, blank=True)
    paragraphs = models.JSONField(_("paragraphs"), default=list)
    text_en = models.TextField(_("text (English)"))
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position"]
        verbose_name = _("priority area")
        verbose_name_plural = _("priority areas")

    def __str__(self) -> str:
        return self.name_en

    @property
    def name(self) -> str:
        return localised(self, "name")


class JointAction(models.Model):
    """A joint action of the Annex (paras 46-83), identified by its paragraph number."""

    paragraph = models.PositiveSmallIntegerField(_("paragraph"), unique=True)
    area = models.ForeignKey(Area, verbose_name=_("area"), on_delete=models.PROTECT, related_name="actions")
    heading_en = models.CharField(_("Annex heading (English)"), max_length=200)
    heading_ja = models.CharField(_("Annex heading (Japanese)"), max_length=200, blank=True)
    title_en = models.CharField(_("title (English)"), max_length=200)
    title_ja = models.CharField(_("title (Japanese)"), max_length=200, blank=True)
    text_en = models.TextField(_("text (English, verbatim)"))
    related = models.ManyToManyField("self", verbose_name=_("related actions"), blank=True, symmetrical=True)
    leads = models.ManyToManyField(
        Organisation, verbose_name=_("lead organisations"), related_name="led_actions"
    )

    class Meta:
        ordering = ["paragraph"]
        verbose_name = _("joint action")
        verbose_name_plural = _("joint actions")

    def __str__(self) -> str:
        return f"{self.paragraph}. {self.title_en}"

    @property
    def title(self) -> str:
        return localised(self, "title")

    @property
    def heading(self) -> str:
        return localised(self, "heading")


class SharedRecord(models.Model):
    """A record this node shares through the ledger: `ledger_entry` is the log entry of its latest record.

    An entry of a peer's log (`ledger_entry.log` = the peer's party code) means the record was signed by
    that party's node and applied here: it is read-only on this node.
    """

    ledger_entry = models.ForeignKey(
        "ledger.LogEntry", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        abstract = True

    @property
    def signed_by(self) -> str | None:
        """The party code of the peer node that signed this record, or None for this node's own."""
        if self.ledger_entry_id is None:
            return None
        entry = self.ledger_entry
        return entry.log if entry is not None and entry.from_peer else None


def current_period() -> int:
    """The reporting period now: the partnership reports on a yearly cycle (para 19)."""
    from django.utils import timezone

    return timezone.now().year


class ProgressUpdate(SharedRecord):
    """One party's account of an action in one period. Append-only: a correction is a new version."""

    class Status(models.TextChoices):
        ON_TRACK = "on_track", _("on track")
        AT_RISK = "at_risk", _("at risk")
        OFF_TRACK = "off_track", _("off track")
        DONE = "done", _("done")

    uid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    action = models.ForeignKey(JointAction, on_delete=models.PROTECT, related_name="updates")
    party = models.ForeignKey(Party, on_delete=models.PROTECT, related_name="updates")
    period = models.PositiveSmallIntegerField(_("period"))
    version = models.PositiveIntegerField(_("version"))
    status = models.CharField(_("status"), max_length=16, choices=Status.choices)
    narrative = models.TextField(_("narrative"))
    language = models.CharField(_("language"), max_length=8, choices=Language.choices)
    # None for an update applied from a peer node: its author is a user of that node, not of this one.
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    # A default rather than auto_now_add: an update applied from a peer keeps the time it was filed there.
    created_at = models.DateTimeField(_("filed"), default=timezone.now, editable=False, db_index=True)
    #: Not stored: set by `queries.mark_late` for a page (filed after its period's call for updates closed).
    late: bool = False

    class Meta:
        ordering = ["action", "party", "-period", "-version"]
        verbose_name = _("progress update")
        verbose_name_plural = _("progress updates")
        constraints = [
            models.UniqueConstraint(
                fields=["action", "party", "period", "version"], name="update_version_once"
            )
        ]
        indexes = [models.Index(fields=["party", "created_at"])]

    def __str__(self) -> str:
        return f"{self.action.paragraph}/{self.party_id}/{self.period} v{self.version}"

    def save(self, *args, **kwargs) -> None:
        # Append-only: the history is the record the Council relies on (para 44).
        if not self._state.adding:
            raise ValueError("progress updates are append-only; file a new version instead")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ValueError("progress updates are append-only and cannot be deleted")


class Deliverable(SharedRecord):
    """A concrete result a party commits to under an action (para 10, 21)."""

    class Status(models.TextChoices):
        PLANNED = "planned", _("planned")
        IN_PROGRESS = "in_progress", _("in progress")
        DELIVERED = "delivered", _("delivered")
        DROPPED = "dropped", _("dropped")

    uid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    action = models.ForeignKey(JointAction, on_delete=models.PROTECT, related_name="deliverables")
    party = models.ForeignKey(Party, on_delete=models.PROTECT, related_name="deliverables")
    organisation = models.ForeignKey(
        Organisation, verbose_name=_("owner"), on_delete=models.PROTECT, related_name="+"
    )
    title = models.CharField(_("title"), max_length=300)
    description = models.TextField(_("description"), blank=True)
    language = models.CharField(_("language"), max_length=8, choices=Language.choices)
    due_date = models.DateField(_("due date"), null=True, blank=True)
    due_period = models.PositiveSmallIntegerField(_("due cycle"), null=True, blank=True)
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.PLANNED)
    evidence = models.JSONField(_("evidence links"), default=list, blank=True)
    revision = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True, db_index=True)

    class Meta:
        ordering = ["action", "due_date", "title"]
        verbose_name = _("deliverable")
        verbose_name_plural = _("deliverables")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(due_date__isnull=False) | models.Q(due_period__isnull=False),
                name="deliverable_has_due_date_or_cycle",
            )
        ]

    def __str__(self) -> str:
        return self.title


class Indicator(SharedRecord):
    """A measure of an action's results, in the IATI results style: unit, baseline, target."""

    uid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    action = models.ForeignKey(JointAction, on_delete=models.PROTECT, related_name="indicators")
    party = models.ForeignKey(Party, on_delete=models.PROTECT, related_name="indicators")
    organisation = models.ForeignKey(
        Organisation, verbose_name=_("owner"), on_delete=models.PROTECT, related_name="+"
    )
    title = models.CharField(_("title"), max_length=300)
    language = models.CharField(_("language"), max_length=8, choices=Language.choices)
    unit = models.CharField(_("unit"), max_length=50)
    ascending = models.BooleanField(_("higher is better"), default=True)
    baseline_value = models.DecimalField(_("baseline"), max_digits=18, decimal_places=4)
    baseline_year = models.PositiveSmallIntegerField(_("baseline year"))
    target_value = models.DecimalField(_("target"), max_digits=18, decimal_places=4)
    target_date = models.DateField(_("target date"))
    revision = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["action", "title"]
        verbose_name = _("indicator")
        verbose_name_plural = _("indicators")

    def __str__(self) -> str:
        return self.title


class IndicatorValue(SharedRecord):
    """The actual value of an indicator over one period, with where it comes from."""

    uid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    indicator = models.ForeignKey(Indicator, on_delete=models.CASCADE, related_name="values")
    period_start = models.DateField(_("period start"))
    period_end = models.DateField(_("period end"))
    value = models.DecimalField(_("value"), max_digits=18, decimal_places=4)
    source = models.CharField(_("source"), max_length=500)
    # None for a value applied from a peer node.
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    recorded_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["indicator", "period_start"]
        verbose_name = _("indicator value")
        verbose_name_plural = _("indicator values")
        constraints = [
            models.UniqueConstraint(
                fields=["indicator", "period_start", "period_end"], name="one_value_per_period"
            ),
            models.CheckConstraint(
                condition=models.Q(period_end__gte=models.F("period_start")), name="period_ends_after_start"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.indicator_id} {self.period_start}..{self.period_end}: {self.value}"


class Comment(models.Model):
    """A remark on an action by any member: member states (para 45) and stakeholders (para 22) above all."""

    action = models.ForeignKey(JointAction, on_delete=models.PROTECT, related_name="comments")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    body = models.TextField(_("comment"))
    language = models.CharField(_("language"), max_length=8, choices=Language.choices)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["action", "-created_at"]
        verbose_name = _("comment")
        verbose_name_plural = _("comments")

    def __str__(self) -> str:
        return f"{self.organisation.code} on {self.action.paragraph}"


class Translation(SharedRecord):
    """A person's translation of an update, deliverable, outcome or contribution into the other language.

    The item is named by its kind and uid (`programme.translations` knows the kinds; the cycle registers
    its own), so one model serves the programme's and the cycle's texts. A translation is always entered
    by a person (never made by a machine here): `human` is False only when that person says they worked
    from a machine translation and reviewed it, and the pages say so. `source_sha256` is the digest of
    the source text it was made from: when the source changes, the translation is stale (still kept, no
    longer shown as the text's translation) until it is replaced.
    """

    uid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    kind = models.CharField(_("kind"), max_length=16)
    item_uid = models.UUIDField(_("item"))
    language = models.CharField(_("language"), max_length=8, choices=Language.choices)
    text = models.TextField(_("translation"))
    description = models.TextField(_("description (translation)"), blank=True)
    human = models.BooleanField(_("human translation"), default=True)
    source_language = models.CharField(_("source language"), max_length=8, choices=Language.choices)
    source_revision = models.PositiveIntegerField(_("source revision"), default=1)
    source_sha256 = models.CharField(max_length=64)
    revision = models.PositiveIntegerField(default=1)
    # The translator's party and organisation (always the item's party: its author or its secretariat).
    party = models.ForeignKey(Party, on_delete=models.PROTECT, related_name="+")
    organisation = models.ForeignKey(
        Organisation, verbose_name=_("translated by"), on_delete=models.PROTECT, related_name="+"
    )
    # None for a translation applied from a peer node: its translator is a user of that node.
    translator = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    translated_at = models.DateTimeField(_("translated"), default=timezone.now)

    class Meta:
        ordering = ["kind", "item_uid", "language"]
        verbose_name = _("translation")
        verbose_name_plural = _("translations")
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "item_uid", "language"], name="one_translation_per_language"
            )
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.item_uid} → {self.language}"

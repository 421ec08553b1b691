"""Statements of reasons and the counts kept of them as they arrive (paras 63-64).

`Statement` is the big table: on PostgreSQL it is partitioned by the day it was received (migration
0002), so a day's statements are one table that can be detached, archived or dropped whole. Reports
never read it: they read `DailyCount` and `DailyTally`, which each filing updates in its transaction.
"""

import uuid

from django.db import models
from django.utils.translation import gettext_lazy as _

from partnership.people.models import Organisation


class Statement(models.Model):
    """A statement of reasons (DSA Art 17) a platform filed: the fields reports aggregate as columns,
    the whole statement as filed (its DSA fields, after the database's rules) in `content`.

    `uuid` is time-ordered (version 7): its first 48 bits are the millisecond it was received, so a
    lookup by uuid knows the day's partition, and ordering by uuid is ordering by arrival.
    """

    uuid = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    # No constraint in the database (db_constraint=False) on the tables filled by the millions: the
    # platform is always the filing account's organisation, which exists and which Django keeps from
    # being deleted while rows point at it (PROTECT); a deferred foreign key would add a check and a
    # lock of the organisation's row at every commit for every row (docs/scaling.md).
    platform = models.ForeignKey(
        Organisation,
        verbose_name=_("platform"),
        on_delete=models.PROTECT,
        related_name="+",
        db_constraint=False,
    )
    puid = models.CharField(_("platform unique identifier"), max_length=500)
    received_at = models.DateTimeField(_("received"))
    # The partition key on PostgreSQL (the UTC day of received_at).
    received_on = models.DateField(_("received on"))
    application_date = models.DateField(_("application date"))
    content_date = models.DateField(_("content date"))
    category = models.CharField(_("category"), max_length=80)
    decision_ground = models.CharField(_("decision ground"), max_length=40)
    source_type = models.CharField(_("source type"), max_length=40)
    automated_detection = models.BooleanField(_("automated detection"))
    automated_decision = models.CharField(_("automated decision"), max_length=40)
    content = models.JSONField(_("statement"))

    class Meta:
        verbose_name = _("statement of reasons")
        verbose_name_plural = _("statements of reasons")
        indexes = [models.Index(fields=["platform", "uuid"], name="platform_reports_by_platform")]

    def __str__(self) -> str:
        return str(self.uuid)


class StatementPuid(models.Model):
    """A platform's unique identifier of a statement, once per platform.

    Kept apart from `Statement` because a unique constraint of a partitioned table must include its
    partition key: this table is what makes a puid unique across all days, also for two batches that
    arrive at the same moment (the second waits on the first's index entry, then fails).
    """

    # No constraint in the database (db_constraint=False) on the tables filled by the millions: the
    # platform is always the filing account's organisation, which exists and which Django keeps from
    # being deleted while rows point at it (PROTECT); a deferred foreign key would add a check and a
    # lock of the organisation's row at every commit for every row (docs/scaling.md). No index of its
    # own either: the unique key below starts with it.
    platform = models.ForeignKey(
        Organisation,
        verbose_name=_("platform"),
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,
        db_constraint=False,
    )
    puid = models.CharField(_("platform unique identifier"), max_length=500)
    statement = models.UUIDField(_("statement"))

    class Meta:
        verbose_name = _("statement identifier")
        verbose_name_plural = _("statement identifiers")
        constraints = [
            models.UniqueConstraint(fields=["platform", "puid"], name="platform_reports_puid_once"),
        ]

    def __str__(self) -> str:
        return self.puid


class DailyCount(models.Model):
    """How many statements a platform filed for decisions applied on `day`, per category, ground,
    source and automation (the rollup every report and trend reads; updated as statements arrive)."""

    # No constraint in the database (db_constraint=False) on the tables filled by the millions: the
    # platform is always the filing account's organisation, which exists and which Django keeps from
    # being deleted while rows point at it (PROTECT); a deferred foreign key would add a check and a
    # lock of the organisation's row at every commit for every row (docs/scaling.md). No index of its
    # own either: the unique key below starts with it.
    platform = models.ForeignKey(
        Organisation,
        verbose_name=_("platform"),
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,
        db_constraint=False,
    )
    day = models.DateField(_("day"))
    category = models.CharField(_("category"), max_length=80)
    decision_ground = models.CharField(_("decision ground"), max_length=40)
    source_type = models.CharField(_("source type"), max_length=40)
    automated_detection = models.BooleanField(_("automated detection"))
    automated_decision = models.CharField(_("automated decision"), max_length=40)
    # Concurrent batches of one platform would all update the same rows and wait on each other's
    # commits; each batch writes to one of SLOTS slots, and every read sums over them.
    slot = models.PositiveSmallIntegerField(_("slot"), default=0)
    statements = models.BigIntegerField(_("statements"), default=0)

    class Meta:
        verbose_name = _("daily count")
        verbose_name_plural = _("daily counts")
        constraints = [
            models.UniqueConstraint(
                fields=[
                    "platform",
                    "day",
                    "category",
                    "decision_ground",
                    "source_type",
                    "automated_detection",
                    "automated_decision",
                    "slot",
                ],
                name="platform_reports_daily_count_key",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.day} {self.category}: {self.statements}"


class DailyTally(models.Model):
    """How many statements of a platform, for decisions applied on `day`, hold `value` in the list
    field `dimension` (content type, territorial scope, restriction, keyword, language...)."""

    # No constraint in the database (db_constraint=False) on the tables filled by the millions: the
    # platform is always the filing account's organisation, which exists and which Django keeps from
    # being deleted while rows point at it (PROTECT); a deferred foreign key would add a check and a
    # lock of the organisation's row at every commit for every row (docs/scaling.md). No index of its
    # own either: the unique key below starts with it.
    platform = models.ForeignKey(
        Organisation,
        verbose_name=_("platform"),
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,
        db_constraint=False,
    )
    day = models.DateField(_("day"))
    dimension = models.CharField(_("field"), max_length=40)
    value = models.CharField(_("value"), max_length=80)
    slot = models.PositiveSmallIntegerField(_("slot"), default=0)  # as DailyCount's
    statements = models.BigIntegerField(_("statements"), default=0)

    class Meta:
        verbose_name = _("daily tally")
        verbose_name_plural = _("daily tallies")
        constraints = [
            models.UniqueConstraint(
                fields=["platform", "day", "dimension", "value", "slot"],
                name="platform_reports_daily_tally_key",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.day} {self.dimension}={self.value}: {self.statements}"


class TrendTally(models.Model):
    """The trends' rollup: how many statements of a platform, for decisions applied on `day`, have
    `value` in `dimension` (one of `trends.DIMENSIONS` that is a field: "total" with value "", category,
    decision_ground, source_type, automated_decision, content_type, territorial_scope). One row a value
    a day a slot (a few hundred a day, where `DailyCount` has thousands): the trends page reads only
    this. Kept by `storage.update_rollups` in the same transaction as `DailyCount` and `DailyTally`.

    Its key is its primary key and its only index (dimension first: every read names one, with or
    without a platform, over a span of days): each batch upserts hundreds of rows here, and each
    further index (a serial id, the platform's foreign key) would cost the ingest an insert a row."""

    pk = models.CompositePrimaryKey("dimension", "platform", "day", "value", "slot")
    platform = models.ForeignKey(
        Organisation,
        verbose_name=_("platform"),
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,
        db_constraint=False,  # as DailyTally's
    )
    day = models.DateField(_("day"))
    dimension = models.CharField(_("field"), max_length=40)
    value = models.CharField(_("value"), max_length=80)
    slot = models.PositiveSmallIntegerField(_("slot"), default=0)  # as DailyCount's
    statements = models.BigIntegerField(_("statements"), default=0)

    class Meta:
        verbose_name = _("trend tally")
        verbose_name_plural = _("trend tallies")

    def __str__(self) -> str:
        return f"{self.day} {self.dimension}={self.value}: {self.statements}"


class MonthlyRollup(models.Model):
    """A platform's month of counts, signed into the ledger by its party's secretariat once the month is
    closed: what the other party holds of the statements (the statements themselves are public and
    too many to sign). `ledger_entry` is the latest revision's entry; a peer's entry means a read-only
    copy signed by that party's node."""

    uid = models.UUIDField(unique=True, editable=False)
    party = models.ForeignKey("people.Party", on_delete=models.PROTECT, related_name="+")
    platform_code = models.CharField(_("platform"), max_length=64)
    platform_name = models.CharField(_("platform name"), max_length=300)
    month = models.DateField(_("month"))  # its first day
    statements = models.BigIntegerField(_("statements"))
    counts = models.JSONField(_("counts"))  # {field: {value: statements}}
    revision = models.PositiveIntegerField(default=1)
    changed_at = models.DateTimeField()
    ledger_entry = models.ForeignKey(
        "ledger.LogEntry", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = _("platform month")
        verbose_name_plural = _("platform months")
        ordering = ["-month", "platform_code"]

    def __str__(self) -> str:
        return f"{self.platform_code} {self.month:%Y-%m}"

    @property
    def signed_by(self) -> str | None:
        """The party code of the peer node that signed this month, or None for this node's own."""
        entry = self.ledger_entry
        return entry.log if entry is not None and entry.from_peer else None


# --- Japan's side (Information Distribution Platform Act): removal requests and what was done ---------


class RemovalRequest(models.Model):
    """A removal request (送信防止措置の申出, Art 25) a designated platform received, and how it was
    handled: the response and its time against the deadline, an extension and its reason, the notice to
    the poster (Art 27) and the measure taken. The codes (requester type, reason, response, extension
    reason, measure) are those of `data/japan.json`; nothing here names the requester or the poster.
    """

    uuid = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    platform = models.ForeignKey(
        Organisation, verbose_name=_("platform"), on_delete=models.PROTECT, related_name="+"
    )
    reference = models.CharField(_("platform's reference"), max_length=100)
    received_at = models.DateTimeField(_("request received"))
    requester_type = models.CharField(_("requester type"), max_length=40)
    reason = models.CharField(_("reason of the request"), max_length=40)
    due_at = models.DateTimeField(_("response due"))
    extended = models.BooleanField(_("period extended"), default=False)
    extension_reason = models.CharField(_("extension reason"), max_length=40, blank=True)
    extension_detail = models.CharField(_("extension detail"), max_length=500, blank=True)
    response = models.CharField(_("response"), max_length=40, blank=True)
    responded_at = models.DateTimeField(_("response sent"), null=True, blank=True)
    no_notification_reason = models.CharField(_("reason no response was sent"), max_length=40, blank=True)
    measure = models.CharField(_("measure taken"), max_length=40, blank=True)
    measure_reason = models.CharField(_("reason of the measure"), max_length=40, blank=True)
    poster_notified_at = models.DateTimeField(_("poster notified"), null=True, blank=True)
    filed_at = models.DateTimeField(_("filed"))

    class Meta:
        verbose_name = _("removal request")
        verbose_name_plural = _("removal requests")
        constraints = [
            models.UniqueConstraint(fields=["platform", "reference"], name="platform_reports_request_once"),
        ]
        indexes = [models.Index(fields=["platform", "received_at"], name="platform_reports_jp_received")]

    def __str__(self) -> str:
        return self.reference

"""Monitoring series of the semiconductor supply chain and every vintage of their values (para 46: joint
monitoring, exchange of information in anticipation of disruptions).

A series is published by an organisation of a party; each import is a `Release` (a vintage, as in the
Federal Reserve's ALFRED) holding the observations that were new or revised at that time. An earlier
value is never overwritten: the latest value of a date is the one of its latest release
(`Observation.is_latest`), the others are its earlier vintages. Later work (signals, alerts) attaches to
`Series` by foreign key and to a date of it.
"""

import uuid
from decimal import Decimal

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from partnership.people.tlp import Tlp  # the one TLP rule lives in people (DESIGN.md)


class Language(models.TextChoices):
    """The languages a series' title may be written in."""

    EN = "en", _("English")
    JA = "ja", _("Japanese")


class Frequency(models.TextChoices):
    """How often a series has a value; each observation's date is the first day of its period (FRED's
    convention: 2024-04-01 is April 2024, or the second quarter of 2024), except weekly and daily ones."""

    DAILY = "daily", _("daily")
    WEEKLY = "weekly", _("weekly")
    MONTHLY = "monthly", _("monthly")
    QUARTERLY = "quarterly", _("quarterly")
    ANNUAL = "annual", _("annual")


class Series(models.Model):
    """An indicator series a party publishes for joint monitoring (para 46): production and capacity
    indices, shipments and inventories, lead times, prices, import volumes by product code.

    `code` is unique per party (e.g. FRED's `IPG3344S`); `uid` identifies it between the nodes. Each change
    of its description is a new `revision`, signed into the ledger; `ledger_entry` is the latest one, and an
    entry of a peer's log means the series was published by that party's node and is read-only here.
    """

    uid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    party = models.ForeignKey("people.Party", on_delete=models.PROTECT, related_name="+")
    organisation = models.ForeignKey("people.Organisation", on_delete=models.PROTECT, related_name="+")
    code = models.CharField(_("code"), max_length=40)
    title = models.CharField(_("title"), max_length=200)
    language = models.CharField(_("language"), max_length=2, choices=Language.choices)
    unit = models.CharField(_("unit"), max_length=80, blank=True)
    frequency = models.CharField(_("frequency"), max_length=10, choices=Frequency.choices)
    source = models.CharField(_("source"), max_length=300, blank=True)
    licence = models.CharField(_("licence"), max_length=200, blank=True)
    product_code = models.CharField(_("product code"), max_length=40, blank=True)  # e.g. HS 8541
    # The detectors that watch it, as the detection library's configurations (a list of objects); empty
    # means the library's DEFAULT_DETECTORS. Part of the shared description: both nodes compute the same
    # signals from the same observations and the same configurations.
    detectors = models.JSONField(_("detectors"), default=list, blank=True)
    revision = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField()  # UTC
    changed_at = models.DateTimeField()  # UTC, of the latest description
    ledger_entry = models.ForeignKey(
        "ledger.LogEntry", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["party__code", "code"]
        constraints = [
            models.UniqueConstraint(fields=["party", "code"], name="supply_chain_series_code_per_party")
        ]

    def __str__(self) -> str:
        return f"{self.code}: {self.title}"

    @property
    def signed_by(self) -> str | None:
        """The party code of the peer node that published this series, or None for this node's own."""
        entry = self.ledger_entry
        return entry.log if entry is not None and entry.from_peer else None


class Release(models.Model):
    """One vintage of a series: what an import (a file, an API call) added or revised, at `released_at`
    (UTC). It holds only the observations that were new or different then; the rest stand as they were.
    Signed into the ledger as one record carrying all its observations."""

    uid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    series = models.ForeignKey(Series, on_delete=models.CASCADE, related_name="releases")
    organisation = models.ForeignKey("people.Organisation", on_delete=models.PROTECT, related_name="+")
    released_at = models.DateTimeField()  # UTC: the vintage's time
    source_name = models.CharField(max_length=200, blank=True)  # the file's name, or "api"
    added = models.PositiveIntegerField(default=0)  # observations of dates the series did not have
    revised = models.PositiveIntegerField(default=0)  # observations that replace an earlier value
    ledger_entry = models.ForeignKey(
        "ledger.LogEntry", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["series", "-released_at", "-pk"]
        indexes = [models.Index(fields=["series", "-released_at"])]

    def __str__(self) -> str:
        return f"{self.series.code} @ {self.released_at:%Y-%m-%d %H:%M}"

    @property
    def signed_by(self) -> str | None:
        """The party code of the peer node that signed this release, or None for this node's own."""
        entry = self.ledger_entry
        return entry.log if entry is not None and entry.from_peer else None


class Observation(models.Model):
    """A series' value for one date (the first day of its period) as one release published it. `value`
    is None where the source published the date as missing (FRED's "."). `is_latest` marks the value of
    the date's latest release; the others are its earlier vintages."""

    # Each foreign key is the first column of an index below, so neither gets one of its own: an import
    # of 100,000 rows updates three B-trees, not six.
    # No database constraint on `series`: it repeats `release.series` (for the index below), and the
    # release's constraint already ties every row to an existing series. On PostgreSQL each constraint is
    # a check per row at commit: 100,000 rows spent about 1 s on this one alone
    # (bench/supply_chain_import.py). Django still cascades a series' deletion to its observations.
    series = models.ForeignKey(
        Series, on_delete=models.CASCADE, related_name="+", db_index=False, db_constraint=False
    )
    release = models.ForeignKey(
        Release, on_delete=models.CASCADE, related_name="observations", db_index=False
    )
    date = models.DateField()
    value = models.FloatField(null=True)
    is_latest = models.BooleanField(default=True)

    class Meta:
        ordering = ["series", "date", "-release"]
        constraints = [
            models.UniqueConstraint(
                fields=["release", "date"], name="supply_chain_one_value_per_release_date"
            )
        ]
        indexes = [models.Index(fields=["series", "is_latest", "date"])]

    def __str__(self) -> str:
        return f"{self.date}: {self.value}"


class Signal(models.Model):
    """What a detector found on a series (issue 16, item 2): which detector and `method` fired, at which
    `date`, which way, the `value` against its `baseline` on what window, and the numbers of its sentence
    (`explanation`). Derived data: each node computes its own from the replicated observations and the
    series' detectors (`services.detect_series`), so signals are never signed nor sent. `release` is the
    release whose detection first found it, `detected_at` when (UTC)."""

    series = models.ForeignKey(Series, on_delete=models.CASCADE, related_name="signals")
    release = models.ForeignKey(Release, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    date = models.DateField()
    detector = models.CharField(max_length=80)  # the configuration's name, e.g. "growth"
    method = models.CharField(max_length=20)  # change_point, cusum, threshold, year_over_year
    direction = models.CharField(max_length=4)  # up or down
    value = models.FloatField()
    baseline = models.FloatField()
    window_start = models.DateField()
    window_end = models.DateField()
    explanation = models.JSONField(default=dict)
    detected_at = models.DateTimeField()  # UTC

    class Meta:
        ordering = ["series", "date", "detector"]
        constraints = [
            models.UniqueConstraint(
                fields=["series", "detector", "date", "direction"], name="supply_chain_one_signal_per_finding"
            )
        ]
        indexes = [models.Index(fields=["-detected_at"]), models.Index(fields=["-date"])]

    def __str__(self) -> str:
        return f"{self.series.code} {self.date}: {self.method} {self.direction}"


# === registers of investment plans and export-control measures (issue 16, items 5 and 6) =========

# para 46: "exchange on long-term investment strategies" and "coordination of export controls". Each entry
# is written by its party, carries a TLP 2.0 level (people.tlp, the one rule) and keeps every revision.


class RegisterEntry(models.Model):
    """What both registers' entries share: who wrote it (party, organisation), its TLP level and the
    organisations it names as recipients (AMBER, AMBER+STRICT, RED), its language, source, revision and
    ledger entry (a peer's log entry means a read-only copy)."""

    uid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    party = models.ForeignKey("people.Party", on_delete=models.PROTECT, related_name="+")
    organisation = models.ForeignKey("people.Organisation", on_delete=models.PROTECT, related_name="+")
    tlp = models.CharField(_("TLP"), max_length=16, choices=Tlp.choices, default=Tlp.AMBER)
    recipients = models.ManyToManyField("people.Organisation", related_name="+", blank=True)
    language = models.CharField(_("language"), max_length=2, choices=Language.choices, default=Language.EN)
    source = models.CharField(_("source"), max_length=500, blank=True)
    revision = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField()  # UTC
    changed_at = models.DateTimeField()  # UTC, of the latest revision
    ledger_entry = models.ForeignKey(
        "ledger.LogEntry", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        abstract = True

    @property
    def signed_by(self) -> str | None:
        """The party code of the peer node that wrote this entry, or None for this node's own."""
        entry = self.ledger_entry
        return entry.log if entry is not None and entry.from_peer else None


class InvestmentStatus(models.TextChoices):
    """Where a long-term investment plan stands."""

    ANNOUNCED = "announced", _("announced")
    CONSTRUCTION = "construction", _("under construction")
    PRODUCING = "producing", _("in production")
    PAUSED = "paused", _("paused")
    CANCELLED = "cancelled", _("cancelled")


class Investment(RegisterEntry):
    """A long-term investment plan in the semiconductor supply chain (para 46): a firm's site (with its
    country, ISO 3166-1), technology node, capacity with its unit, amount with its currency (ISO 4217),
    the public support (amount, instrument, legal basis), its dates and status."""

    firm = models.CharField(_("firm"), max_length=200)
    site = models.CharField(_("site"), max_length=200)
    country = models.CharField(_("country"), max_length=2)
    technology_node = models.CharField(_("technology node"), max_length=40, blank=True)
    capacity = models.DecimalField(_("capacity"), max_digits=24, decimal_places=4, null=True, blank=True)
    capacity_unit = models.CharField(_("capacity unit"), max_length=80, blank=True)
    amount = models.DecimalField(_("amount"), max_digits=24, decimal_places=4, null=True, blank=True)
    currency = models.CharField(_("currency"), max_length=3, blank=True)
    support_amount = models.DecimalField(
        _("public support"), max_digits=24, decimal_places=4, null=True, blank=True
    )
    support_instrument = models.CharField(_("support instrument"), max_length=200, blank=True)
    support_basis = models.CharField(_("legal basis of the support"), max_length=300, blank=True)
    announced_on = models.DateField(_("announced"), null=True, blank=True)
    start_on = models.DateField(_("start"), null=True, blank=True)
    production_on = models.DateField(_("production"), null=True, blank=True)
    status = models.CharField(_("status"), max_length=16, choices=InvestmentStatus.choices)

    class Meta:
        ordering = ["party__code", "firm", "site"]
        indexes = [models.Index(fields=["party", "tlp"])]

    def __str__(self) -> str:
        return f"{self.firm}, {self.site}"

    @staticmethod
    def _shown(value: Decimal | None) -> str:
        """A decimal as a reader reads it: digits grouped, no exponent, no trailing zeros ("25,000")."""
        return "" if value is None else f"{value.normalize():,f}"

    @property
    def capacity_shown(self) -> str:
        return self._shown(self.capacity)

    @property
    def amount_shown(self) -> str:
        return self._shown(self.amount)

    @property
    def support_shown(self) -> str:
        return self._shown(self.support_amount)


class MeasureKind(models.TextChoices):
    """What an export-control measure does to the controls."""

    NEW = "new", _("new control")
    AMENDED = "amended", _("amended control")
    LIFTED = "lifted", _("control lifted")


class ExportControl(RegisterEntry):
    """A party's export-control measure (para 46: coordination of export controls): the items it covers
    by control-list entry (`items`: a list of {"list", "entry"}, e.g. Wassenaar / EU Annex I "3B001", or an
    entry of Japan's Export Trade Control Order) and by HS code (`hs_codes`), its legal basis, and when it
    was adopted, takes effect and ends. `notified_at` is when the other party was first told (the signing
    time of its first record), `received_at` when this node received it from the peer (a peer's measure);
    `late`: a revision reached the other party after the day its measure took effect."""

    title = models.CharField(_("title"), max_length=300)
    kind = models.CharField(_("kind"), max_length=8, choices=MeasureKind.choices)
    items = models.JSONField(_("control-list entries"), default=list, blank=True)
    hs_codes = models.JSONField(_("HS codes"), default=list, blank=True)
    legal_basis = models.CharField(_("legal basis"), max_length=300)
    adopted_on = models.DateField(_("adopted"))
    takes_effect = models.DateField(_("takes effect"))
    ends_on = models.DateField(_("ends"), null=True, blank=True)
    notified_at = models.DateTimeField(null=True, blank=True)  # UTC
    received_at = models.DateTimeField(null=True, blank=True)  # UTC, on the receiving node
    late = models.BooleanField(default=False)

    class Meta:
        ordering = ["-takes_effect", "party__code", "title"]
        indexes = [models.Index(fields=["party", "tlp"]), models.Index(fields=["takes_effect"])]

    def __str__(self) -> str:
        return self.title


class RegisterRevision(models.Model):
    """One revision of a register entry as it was signed: its whole content (`content`, the record's
    entry), who changed it, when it was signed (`signed_at`) and, on the receiving node, received; `late`
    for a measure's revision that reached the other party after its `takes_effect` day. Exactly one of
    `investment` and `export_control` is set."""

    investment = models.ForeignKey(
        Investment, null=True, blank=True, on_delete=models.CASCADE, related_name="revisions"
    )
    export_control = models.ForeignKey(
        ExportControl, null=True, blank=True, on_delete=models.CASCADE, related_name="revisions"
    )
    revision = models.PositiveIntegerField()
    organisation = models.ForeignKey("people.Organisation", on_delete=models.PROTECT, related_name="+")
    content = models.JSONField()
    signed_at = models.DateTimeField()  # UTC
    received_at = models.DateTimeField(null=True, blank=True)  # UTC, a peer's revision
    late = models.BooleanField(default=False)
    ledger_entry = models.ForeignKey(
        "ledger.LogEntry", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["-revision"]
        constraints = [
            models.UniqueConstraint(fields=["investment", "revision"], name="supply_chain_investment_rev"),
            models.UniqueConstraint(fields=["export_control", "revision"], name="supply_chain_measure_rev"),
            models.CheckConstraint(
                condition=models.Q(investment__isnull=True) ^ models.Q(export_control__isnull=True),
                name="supply_chain_revision_of_one_entry",
            ),
        ]

    def __str__(self) -> str:
        return f"revision {self.revision}"


class Register(models.TextChoices):
    """The two registers a user may subscribe to."""

    INVESTMENTS = "investments", _("investment plans")
    EXPORT_CONTROLS = "export_controls", _("export-control measures")


class RegisterSubscription(models.Model):
    """A member who is mailed, in their language, each new entry or revision the other party makes in
    `register` (that they may read under its TLP level)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    register = models.CharField(max_length=16, choices=Register.choices)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "register"], name="supply_chain_one_subscription")
        ]

    def __str__(self) -> str:
        return f"{self.user} → {self.register}"


# Events and alerts (issue 16, items 3 and 4) live in their own module; Django finds models here.
from .alert_models import (  # noqa: E402, F401
    Acknowledgement,
    Alert,
    AlertOwner,
    AlertStep,
    AlertSubscription,
    Assessment,
    Event,
    EventAddition,
    PreventiveAction,
)
from .exercise_models import (  # noqa: E402, F401
    Exercise,
    ExerciseRun,
    ExerciseStep,
)

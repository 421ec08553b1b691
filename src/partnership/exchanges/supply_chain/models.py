"""Monitoring series of the semiconductor supply chain and every vintage of their values (para 46: joint
monitoring, exchange of information in anticipation of disruptions).

A series is published by an organisation of a party; each import is a `Release` (a vintage, as in the
Federal Reserve's ALFRED) holding the observations that were new or revised at that time. An earlier
value is never overwritten: the latest value of a date is the one of its latest release
(`Observation.is_latest`), the others are its earlier vintages. Later work (signals, alerts) attaches to
`Series` by foreign key and to a date of it.
"""

import uuid

from django.db import models
from django.utils.translation import gettext_lazy as _


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
    series = models.ForeignKey(Series, on_delete=models.CASCADE, related_name="+", db_index=False)
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

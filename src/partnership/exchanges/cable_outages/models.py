"""The connectivity map between Japan and the EU (para 61: mapping current and future connectivity
infrastructure, mainly submarine and space): cables and space links, their segments, landing points,
owners and suppliers, and the imports that brought each snapshot of the map.

The map is reference data this node imports from a source its operator holds (TeleGeography's map is
licensed for non-commercial use and is never shipped with the product nor signed into the ledger): each
node imports its own copy, and the answers about routes are computed from it.
"""

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class LinkKind(models.TextChoices):
    """The kinds of link the map holds: a submarine cable, or a space link between ground stations."""

    SUBMARINE = "submarine", _("submarine cable")
    SPACE = "space", _("space link")


class MapImport(models.Model):
    """One snapshot of the map imported by a secretariat: where it came from, its layout, what it held,
    and what changed against the snapshot before it (`changes`: `new`, `retired` and `rerouted` cable
    slugs). An import of the same snapshot again stores nothing (`digest`)."""

    uid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    imported_at = models.DateTimeField()  # UTC
    imported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    party = models.ForeignKey("people.Party", on_delete=models.PROTECT, related_name="+")
    source = models.CharField(max_length=300)  # the file or folder's name, never its full path
    layout = models.CharField(max_length=10)  # v3, v2 or geojson
    digest = models.CharField(max_length=64, db_index=True)
    cables = models.PositiveIntegerField(default=0)
    landing_points = models.PositiveIntegerField(default=0)
    changes = models.JSONField(default=dict)
    warnings = models.JSONField(default=list)
    is_demo = models.BooleanField(default=False)  # a synthetic map seeded by `make demo`, not real cables

    class Meta:
        ordering = ["-imported_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.source} ({self.layout})"


class LandingPoint(models.Model):
    """Where a cable comes ashore (or a space link's ground station): a position and a country."""

    slug = models.SlugField(max_length=200, unique=True)  # the source's stable id, e.g. marseille-france
    name = models.CharField(max_length=300)
    country_code = models.CharField(max_length=2, db_index=True, blank=True)  # ISO 3166-1; "" unknown
    country = models.CharField(max_length=200, blank=True)
    latitude = models.FloatField()
    longitude = models.FloatField()

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Owner(models.Model):
    """A member of a cable's consortium (or its single owner), by name as the source spells it."""

    name = models.CharField(max_length=200, unique=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Supplier(models.Model):
    """A firm that built a cable, by name as the source spells it."""

    name = models.CharField(max_length=200, unique=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Cable(models.Model):
    """A submarine cable system or a space link, identified by the source's stable id (TeleGeography's
    slug, e.g. `seamewe-3`). A cable absent from a later snapshot is kept, marked `retired_by`."""

    slug = models.SlugField(max_length=200, unique=True)
    name = models.CharField(max_length=300)
    kind = models.CharField(max_length=10, choices=LinkKind.choices, default=LinkKind.SUBMARINE)
    length_km = models.FloatField(null=True, blank=True)
    length_text = models.CharField(max_length=100, blank=True)
    rfs_text = models.CharField(max_length=100, blank=True)  # "1999 September"
    rfs_year = models.PositiveIntegerField(null=True, blank=True)  # ready for service
    is_planned = models.BooleanField(default=False)
    url = models.CharField(max_length=500, blank=True)
    notes = models.TextField(blank=True)
    owners = models.ManyToManyField(Owner, related_name="cables", blank=True)
    suppliers = models.ManyToManyField(Supplier, related_name="cables", blank=True)
    landing_points = models.ManyToManyField(LandingPoint, through="Landing", related_name="cables")
    corridors = models.JSONField(default=list)  # names of the shipped corridors its route crosses
    route_digest = models.CharField(max_length=64)
    added_by = models.ForeignKey(MapImport, on_delete=models.PROTECT, related_name="+")
    changed_by = models.ForeignKey(MapImport, on_delete=models.PROTECT, related_name="+")
    retired_by = models.ForeignKey(
        MapImport, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Landing(models.Model):
    """A cable's landing at a landing point, in the source's order."""

    cable = models.ForeignKey(Cable, on_delete=models.CASCADE, related_name="landings")
    landing_point = models.ForeignKey(LandingPoint, on_delete=models.PROTECT, related_name="landings")
    position = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["cable", "position"]
        constraints = [
            models.UniqueConstraint(fields=["cable", "landing_point"], name="one_landing_per_point")
        ]

    def __str__(self) -> str:
        return f"{self.cable_id} at {self.landing_point_id}"


class Segment(models.Model):
    """One line of a cable's route: [longitude, latitude] points, as the source draws it."""

    cable = models.ForeignKey(Cable, on_delete=models.CASCADE, related_name="segments")
    number = models.PositiveIntegerField()
    coordinates = models.JSONField()

    class Meta:
        ordering = ["cable", "number"]
        constraints = [models.UniqueConstraint(fields=["cable", "number"], name="one_segment_number")]

    def __str__(self) -> str:
        return f"{self.cable_id} #{self.number}"


class Cause(models.TextChoices):
    """What caused an outage, as the operator reports it."""

    ANCHOR = "anchor", _("anchor")
    FISHING = "fishing", _("fishing")
    SEISMIC = "seismic", _("seismic")
    EQUIPMENT = "equipment", _("equipment")
    UNKNOWN = "unknown", _("unknown")
    DELIBERATE = "deliberate", _("suspected deliberate")


class Stage(models.TextChoices):
    """The stages of an outage report (FCC: notification, interim, final; NIS2: early warning, incident
    notification, final report)."""

    NOTIFICATION = "notification", _("notification")
    INTERIM = "interim", _("interim report")
    FINAL = "final", _("final report")


class PartyProfile(models.Model):
    """A party's own reporting profile (its stages' deadlines), edited by its secretariat; the FCC and
    NIS2 profiles are shipped as data (`data/reporting-profiles.json`). Not signed into the ledger: each
    report carries the stages it was filed under (`Outage.profile_stages`), which is what the other
    party's node computes its deadlines from. `revision` counts the edits: an edit made on an older one
    is a conflict, not silently overwritten."""

    party = models.OneToOneField("people.Party", on_delete=models.PROTECT, related_name="+")
    stages = models.JSONField(default=list)  # [{"stage", "hours", "after"}], as `profiles.clean_stages`
    revision = models.PositiveIntegerField(default=1)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    changed_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"{self.party_id} profile"


class ResponsibleFiler(models.Model):
    """The one organisation that files outage reports for a cable's consortium (FCC: the Responsible
    Licensee), and the co-owner operators (of either party) who read them; designated by a party's
    secretariat and signed into the ledger (`cable_outages.filer`), so that the other party's node knows
    it too. One object per designating party and cable (`uid` derived from both): a change or a
    revocation is a new `revision` of it; a revoked one is kept (`revoked_at`) so that an older revision
    arriving again changes nothing. At most one designation in force per cable. A peer's is read-only
    here (`signed_by`). `cable` is null when the designating node's cable is not on this node's map."""

    uid = models.UUIDField(unique=True, editable=False)
    party = models.ForeignKey("people.Party", on_delete=models.PROTECT, related_name="+")
    cable = models.ForeignKey(
        Cable, null=True, blank=True, on_delete=models.SET_NULL, related_name="responsible_filers"
    )
    cable_slug = models.SlugField(max_length=200)
    cable_name = models.CharField(max_length=300)
    organisation = models.ForeignKey("people.Organisation", on_delete=models.PROTECT, related_name="+")
    co_owners = models.ManyToManyField("people.Organisation", related_name="+", blank=True)
    designated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    designated_at = models.DateTimeField()
    revision = models.PositiveIntegerField(default=1)
    revoked_at = models.DateTimeField(null=True, blank=True)
    ledger_entry = models.ForeignKey(
        "ledger.LogEntry", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["cable_name", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["party", "cable_slug"], name="one_designation_per_party_cable"),
            models.UniqueConstraint(
                fields=["cable_slug"],
                condition=models.Q(revoked_at__isnull=True),
                name="one_filer_in_force_per_cable",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.cable_slug} filed by {self.organisation_id}"

    @property
    def signed_by(self) -> str | None:
        """The party code of the peer node that signed this designation, or None for this node's own."""
        entry = self.ledger_entry
        return entry.log if entry is not None and entry.from_peer else None


class Outage(models.Model):
    """An outage on a cable (or one of its segments), reported by its consortium's responsible filer and
    signed into the ledger at each stage (a peer's reports arrive signed and are kept read-only).
    `cable` is null only for a historical event whose cable is not on this node's map (`cable_slug` says
    which; a peer's report on a cable not on it is refused);
    `is_historical` marks an event reconstructed from public sources (`sources`)."""

    uid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    party = models.ForeignKey("people.Party", on_delete=models.PROTECT, related_name="+")
    organisation = models.ForeignKey("people.Organisation", on_delete=models.PROTECT, related_name="+")
    cable = models.ForeignKey(Cable, null=True, blank=True, on_delete=models.SET_NULL, related_name="outages")
    cable_slug = models.SlugField(max_length=200, db_index=True)
    cable_name = models.CharField(max_length=300)
    segment = models.PositiveIntegerField(null=True, blank=True)
    started_at = models.DateTimeField()  # UTC
    detected_at = models.DateTimeField()  # UTC
    fault_latitude = models.FloatField(null=True, blank=True)
    fault_longitude = models.FloatField(null=True, blank=True)
    fault_landing = models.SlugField(max_length=200, blank=True)  # a landing point's slug
    fault_distance_km = models.FloatField(null=True, blank=True)  # from `fault_landing`
    cause = models.CharField(max_length=12, choices=Cause.choices)
    fibre_pairs_lost = models.PositiveIntegerField(default=0)
    capacity_lost_gbps = models.FloatField(default=0)
    rerouted = models.BooleanField(default=False)
    repair_ship = models.CharField(max_length=200, blank=True)
    plan_received_at = models.DateTimeField(null=True, blank=True)  # the repair plan of work (FCC)
    expected_repair_at = models.DateTimeField(null=True, blank=True)
    repaired_at = models.DateTimeField(null=True, blank=True)
    profile = models.CharField(max_length=16)  # fcc, nis2 or party
    profile_stages = models.JSONField(default=list)  # the profile's stages as they were when reported
    tlp = models.CharField(max_length=16)
    recipients = models.ManyToManyField("people.Organisation", related_name="+", blank=True)  # co-owners
    revision = models.PositiveIntegerField(default=1)
    is_historical = models.BooleanField(default=False)
    sources = models.JSONField(default=list)
    reported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    ledger_entry = models.ForeignKey(
        "ledger.LogEntry", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["-detected_at", "-pk"]
        # The list's order: a page of the newest reports is read from the index, not sorted from all.
        indexes = [models.Index(fields=["-detected_at", "-id"], name="outage_newest_first")]

    def __str__(self) -> str:
        return f"{self.cable_name} {self.detected_at:%Y-%m-%d}"


class OutageStage(models.Model):
    """A stage of an outage report, filed once."""

    outage = models.ForeignKey(Outage, on_delete=models.CASCADE, related_name="stages")
    stage = models.CharField(max_length=12, choices=Stage.choices)
    filed_at = models.DateTimeField()  # UTC
    summary = models.TextField(blank=True)

    class Meta:
        ordering = ["outage", "filed_at", "pk"]
        constraints = [models.UniqueConstraint(fields=["outage", "stage"], name="one_filing_per_stage")]

    def __str__(self) -> str:
        return f"{self.outage_id} {self.stage}"

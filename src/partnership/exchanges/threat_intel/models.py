"""TAXII 2.1 API roots, collections, who may use them, stored STIX object versions and status resources."""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from partnership.people.models import Organisation, Party
from partnership.people.tlp import Tlp  # the one TLP rule lives in people (DESIGN.md)

__all__ = ["Tlp"]


class ApiRoot(models.Model):
    """A TAXII API root (`/taxii2/<slug>/`); by default one per party, for that party's community."""

    slug = models.SlugField(_("path"), max_length=32, unique=True)
    party = models.OneToOneField(
        Party, verbose_name=_("party"), on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    max_content_length = models.PositiveBigIntegerField(_("largest request body, in bytes"))

    class Meta:
        ordering = ["slug"]
        verbose_name = _("TAXII API root")
        verbose_name_plural = _("TAXII API roots")

    def __str__(self) -> str:
        return self.slug


class Collection(models.Model):
    """A TAXII collection: a set of STIX objects that some organisations may read and some may write."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    api_root = models.ForeignKey(
        ApiRoot, verbose_name=_("API root"), on_delete=models.PROTECT, related_name="collections"
    )
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    alias = models.SlugField(_("alias"), max_length=64, blank=True)
    default_tlp = models.CharField(
        _("TLP of unmarked objects"), max_length=16, choices=Tlp.choices, default=Tlp.AMBER
    )
    allow_custom = models.BooleanField(
        _("allow custom STIX types and properties"),
        default=False,
        help_text=_("Accept custom x- object types, properties and extensions."),
    )
    max_content_length = models.PositiveBigIntegerField(
        _("largest request body, in bytes"),
        null=True,
        blank=True,
        help_text=_("Empty means the API root's limit."),
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    # A party code: this collection is the read-only copy of one kept by that party's node, filled
    # from its signed ledger records (records.py); empty: kept here.
    peer = models.CharField(_("kept by the node of"), max_length=8, blank=True, default="")

    class Meta:
        ordering = ["api_root__slug", "title"]
        verbose_name = _("TAXII collection")
        verbose_name_plural = _("TAXII collections")

    def __str__(self) -> str:
        return self.title

    @property
    def content_limit(self) -> int:
        """The largest request body this collection accepts: its own limit within the API root's."""
        limits = [self.api_root.max_content_length]
        if self.max_content_length:
            limits.append(self.max_content_length)
        return min(limits)


class CollectionGrant(models.Model):
    """What one organisation, or every organisation of one party, may do with a collection.

    `community`: the grantee belongs to the collection's sharing community and so reads TLP:GREEN;
    a guest grant (community off) reads TLP:CLEAR only.
    """

    collection = models.ForeignKey(Collection, on_delete=models.CASCADE, related_name="grants")
    organisation = models.ForeignKey(
        Organisation, verbose_name=_("organisation"), on_delete=models.CASCADE, null=True, blank=True
    )
    party = models.ForeignKey(Party, verbose_name=_("party"), on_delete=models.CASCADE, null=True, blank=True)
    can_read = models.BooleanField(_("can read"), default=True)
    can_write = models.BooleanField(_("can write"), default=False)
    community = models.BooleanField(_("member of the community (reads TLP:GREEN)"), default=True)

    class Meta:
        verbose_name = _("collection grant")
        verbose_name_plural = _("collection grants")
        constraints = [
            models.CheckConstraint(
                condition=Q(organisation__isnull=True, party__isnull=False)
                | Q(organisation__isnull=False, party__isnull=True),
                name="threat_intel_grant_one_grantee",
            ),
            models.UniqueConstraint(fields=["collection", "organisation"], name="threat_intel_grant_org"),
            models.UniqueConstraint(fields=["collection", "party"], name="threat_intel_grant_party"),
        ]

    def __str__(self) -> str:
        return f"{self.collection} → {self.organisation or self.party}"


class ObjectVersion(models.Model):
    """One version (`id` + `modified`) of a STIX object in a collection, as it was received.

    `tlp` and the recipients are computed once at ingest (sharing.py) so that every read path filters
    in the database and pages stay keyset-based.
    """

    # No index of its own: every index of the table starts with the collection (one less to maintain
    # on each insert).
    collection = models.ForeignKey(
        Collection, on_delete=models.CASCADE, related_name="object_versions", db_index=False
    )
    stix_id = models.CharField(_("STIX id"), max_length=300)
    type = models.CharField(_("type"), max_length=250)
    spec_version = models.CharField(_("spec version"), max_length=8)
    # The TAXII version of the object: `modified`, else `created`, else the time it was added.
    version = models.DateTimeField(_("version"))
    created = models.DateTimeField(_("created"), null=True, blank=True)
    modified = models.DateTimeField(_("modified"), null=True, blank=True)
    # Relationships stay navigable: a relationship's source_ref and target_ref, a sighting's
    # sighting_of_ref (as target); empty for other objects.
    source_ref = models.CharField(_("relationship source"), max_length=300, blank=True, default="")
    target_ref = models.CharField(_("relationship target"), max_length=300, blank=True, default="")
    # Unique and increasing within a collection (services.add_objects), so `added_after` resumes exactly.
    date_added = models.DateTimeField(_("date added"))
    # The object's JSON text as received (compact): answered as is, without re-encoding.
    body = models.TextField(_("STIX JSON"))
    tlp = models.CharField(_("TLP"), max_length=16, choices=Tlp.choices)
    author_organisation = models.ForeignKey(
        Organisation, verbose_name=_("author organisation"), on_delete=models.PROTECT, related_name="+"
    )
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    # The ledger entry that carried this version to the other party's node (here: the own log), or
    # that brought it here from a peer (the peer's log); empty for what never left its node.
    ledger_entry = models.ForeignKey(
        "ledger.LogEntry", null=True, blank=True, on_delete=models.PROTECT, related_name="+", db_index=False
    )
    is_first = models.BooleanField(default=True)
    is_latest = models.BooleanField(default=True)
    recipients = models.ManyToManyField(
        Organisation, through="ObjectRecipient", related_name="threat_intel_objects", blank=True
    )

    class Meta:
        verbose_name = _("STIX object version")
        verbose_name_plural = _("STIX object versions")
        constraints = [
            # Also the index of every lookup by object id (one object, its versions, duplicates).
            models.UniqueConstraint(
                fields=["collection", "stix_id", "version"], name="threat_intel_one_version"
            ),
        ]
        indexes = [
            # Keyset pagination: every page is `(date_added, id) > (last seen)` in this order.
            models.Index(fields=["collection", "date_added", "id"], name="threat_intel_keyset"),
            # The parts of a TLP-filtered page (sharing.visible_parts), each walked in keyset order,
            # with or without `match[type]`.
            models.Index(fields=["collection", "tlp", "date_added", "id"], name="threat_intel_by_tlp"),
            models.Index(
                fields=["collection", "type", "tlp", "date_added", "id"], name="threat_intel_by_type_tlp"
            ),
            models.Index(
                fields=["collection", "author_organisation", "date_added", "id"],
                name="threat_intel_by_author",
            ),
            models.Index(
                fields=["collection", "source_ref"], name="threat_intel_source", condition=~Q(source_ref="")
            ),
            models.Index(
                fields=["collection", "target_ref"], name="threat_intel_target", condition=~Q(target_ref="")
            ),
        ]

    def __str__(self) -> str:
        return f"{self.stix_id} @ {self.version.isoformat()}"


class ObjectRecipient(models.Model):
    """An organisation named as a recipient of an AMBER, AMBER+STRICT or RED object version."""

    version = models.ForeignKey(ObjectVersion, on_delete=models.CASCADE, related_name="recipient_links")
    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["version", "organisation"], name="threat_intel_one_recipient")
        ]
        indexes = [models.Index(fields=["organisation", "version"], name="threat_intel_recipient")]

    def __str__(self) -> str:
        return f"{self.organisation_id} ← {self.version_id}"


class Status(models.Model):
    """A TAXII status resource: the outcome of one POST of an envelope, kept at least 24 hours."""

    class State(models.TextChoices):
        PENDING = "pending", pgettext_lazy("TAXII status", "pending")
        COMPLETE = "complete", pgettext_lazy("TAXII status", "complete")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    api_root = models.ForeignKey(ApiRoot, on_delete=models.CASCADE, related_name="statuses")
    collection = models.ForeignKey(Collection, on_delete=models.CASCADE, related_name="statuses")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    status = models.CharField(max_length=16, choices=State.choices, default=State.PENDING)
    request_timestamp = models.DateTimeField()
    total_count = models.PositiveIntegerField(default=0)
    success_count = models.PositiveIntegerField(default=0)
    failure_count = models.PositiveIntegerField(default=0)
    pending_count = models.PositiveIntegerField(default=0)
    # Lists of TAXII status details: {"id", "version", "message"}.
    successes = models.JSONField(default=list)
    failures = models.JSONField(default=list)
    pendings = models.JSONField(default=list)

    class Meta:
        verbose_name = _("TAXII status")
        verbose_name_plural = _("TAXII statuses")
        indexes = [models.Index(fields=["request_timestamp"], name="threat_intel_status_age")]

    def __str__(self) -> str:
        return str(self.id)


class ObjectRead(models.Model):
    """The first time an organisation read one object version (TAXII objects, object, versions pages).

    Written once per (version, organisation), ignoring conflicts (reads.record); the contract's
    indicators read it: organisations active, time from an object's `created` to its first read.
    """

    version = models.ForeignKey(ObjectVersion, on_delete=models.CASCADE, related_name="reads")
    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    first_read_at = models.DateTimeField(_("first read"))

    class Meta:
        verbose_name = _("first read of a STIX object version")
        verbose_name_plural = _("first reads of STIX object versions")
        constraints = [
            models.UniqueConstraint(fields=["version", "organisation"], name="threat_intel_one_read")
        ]
        indexes = [models.Index(fields=["organisation", "first_read_at"], name="threat_intel_read_by")]

    def __str__(self) -> str:
        return f"{self.organisation_id} read {self.version_id}"

"""Events and alerts of the semiconductor supply chain (issue 16, items 3 and 4; para 46: exchange of
information in anticipation of disruptions, early warning, crisis preparedness).

A party reports an `Event` (a disruption: a fab fire, an earthquake, an export restriction...); the other
party acknowledges it and adds what it knows (`EventAddition`, its own signed record). A signal or an
event becomes an `Alert` that one party proposes and both assess on the Chips Act's scale (monitoring,
alert, crisis: Regulation (EU) 2023/1781, Chapter IV). Every change of an alert is an `AlertStep`, one
signed record of the party that made it: the timeline is the list of steps. Owners, assessments and
preventive actions are what the steps say, kept in their own tables for the pages.

Events, additions and alerts carry a TLP 2.0 level and the organisations they name (`people.tlp`: the
one TLP rule); what leaves the node is sealed to the other party's node (`alert_records`).
"""

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from partnership.people.tlp import Tlp


class EventKind(models.TextChoices):
    """What happened."""

    FAB_FIRE = "fab_fire", _("fab fire")
    EARTHQUAKE = "earthquake", _("earthquake")
    POWER_LOSS = "power_loss", _("power loss")
    EXPORT_RESTRICTION = "export_restriction", _("export restriction")
    LOGISTICS = "logistics", _("logistics")
    OTHER = "other", _("other")


class Severity(models.TextChoices):
    """A fixed scale of how much of the supply is hit (the reporting party's judgement)."""

    MINOR = "minor", _("minor: no effect on supply expected")
    MODERATE = "moderate", _("moderate: delays of some products")
    MAJOR = "major", _("major: shortage of some products")
    SEVERE = "severe", _("severe: shortage across the sector")


SEVERITY_RANK = {Severity.MINOR: 1, Severity.MODERATE: 2, Severity.MAJOR: 3, Severity.SEVERE: 4}


class Stage(models.TextChoices):
    """The common scale of an alert (after the Chips Act, Chapter IV): monitoring, alert, crisis."""

    MONITORING = "monitoring", _("monitoring")
    ALERT = "alert", _("alert")
    CRISIS = "crisis", _("crisis")


STAGE_RANK = {Stage.MONITORING: 1, Stage.ALERT: 2, Stage.CRISIS: 3}


class ContentLanguage(models.TextChoices):
    """The language a text was written in."""

    EN = "en", _("English")
    JA = "ja", _("Japanese")


class Event(models.Model):
    """A disruption a party reports: its `kind`, where (`country`, ISO 3166-1 alpha-2, and a free-text
    `site`), which `products` (HS codes of chapter 85: 8541 and 8542, at 4 or 6 digits) and `products_text`,
    which `firms`, how `severity`, from `start_date` for `expected_days`, and a `description` in `language`.
    Marked with a TLP level; `recipients` are the organisations an AMBER or RED event names. `ledger_entry`
    is its signed record (a peer's log entry: a read-only copy)."""

    uid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    party = models.ForeignKey("people.Party", on_delete=models.PROTECT, related_name="+")
    organisation = models.ForeignKey("people.Organisation", on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(_("kind"), max_length=20, choices=EventKind.choices)
    title = models.CharField(_("title"), max_length=200)
    country = models.CharField(_("country"), max_length=2)
    site = models.CharField(_("site"), max_length=200, blank=True)
    products = models.JSONField(_("HS codes"), default=list, blank=True)
    products_text = models.CharField(_("products"), max_length=300, blank=True)
    firms = models.JSONField(_("firms"), default=list, blank=True)
    severity = models.CharField(_("severity"), max_length=10, choices=Severity.choices)
    expected_days = models.PositiveIntegerField(_("expected duration (days)"), null=True, blank=True)
    start_date = models.DateField(_("start date"))
    description = models.TextField(_("description"), blank=True)
    language = models.CharField(_("language"), max_length=2, choices=ContentLanguage.choices)
    tlp = models.CharField(_("TLP"), max_length=12, choices=Tlp.choices, default=Tlp.AMBER)
    recipients = models.ManyToManyField("people.Organisation", related_name="+", blank=True)
    reported_at = models.DateTimeField()  # UTC
    ledger_entry = models.ForeignKey(
        "ledger.LogEntry", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["-start_date", "-reported_at"]
        indexes = [models.Index(fields=["-reported_at"])]

    def __str__(self) -> str:
        return f"{self.kind} {self.country} {self.start_date}: {self.title}"

    @property
    def signed_by(self) -> str | None:
        """The party code of the peer node that signed it, or None for this node's own."""
        entry = self.ledger_entry
        return entry.log if entry is not None and entry.from_peer else None


class EventAddition(models.Model):
    """The other party's acknowledgement of an event, with what it knows (`text`, may be empty), a signed
    record of that party; read under the event's TLP."""

    uid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="additions")
    party = models.ForeignKey("people.Party", on_delete=models.PROTECT, related_name="+")
    organisation = models.ForeignKey("people.Organisation", on_delete=models.PROTECT, related_name="+")
    text = models.TextField(_("what you know"), blank=True)
    language = models.CharField(_("language"), max_length=2, choices=ContentLanguage.choices)
    added_at = models.DateTimeField()  # UTC
    ledger_entry = models.ForeignKey(
        "ledger.LogEntry", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["event", "added_at", "pk"]

    def __str__(self) -> str:
        return f"{self.party_id} on {self.event_id}"

    @property
    def signed_by(self) -> str | None:
        """The party code of the peer node that signed it, or None for this node's own."""
        entry = self.ledger_entry
        return entry.log if entry is not None and entry.from_peer else None


class Alert(models.Model):
    """An alert one party proposes from a signal (`series` and `signal_date`, with what the signal said in
    `signal_summary`: signals are computed on each node) or from an `event`. `stage` is the higher of the
    parties' latest assessments (the proposer's first assessment is its proposal); `acknowledged_at` is when
    the last of both parties acknowledged it (the proposer acknowledges by proposing). Closed with a note of
    its lessons. Marked with a TLP level like events."""

    uid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    party = models.ForeignKey("people.Party", on_delete=models.PROTECT, related_name="+")
    organisation = models.ForeignKey("people.Organisation", on_delete=models.PROTECT, related_name="+")
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    language = models.CharField(_("language"), max_length=2, choices=ContentLanguage.choices)
    event = models.ForeignKey(Event, null=True, blank=True, on_delete=models.SET_NULL, related_name="alerts")
    series = models.ForeignKey(
        "supply_chain.Series", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    signal_date = models.DateField(null=True, blank=True)
    signal_summary = models.JSONField(
        default=dict, blank=True
    )  # detector, method, direction, value, baseline
    stage = models.CharField(_("stage"), max_length=10, choices=Stage.choices)
    tlp = models.CharField(_("TLP"), max_length=12, choices=Tlp.choices, default=Tlp.GREEN)
    recipients = models.ManyToManyField("people.Organisation", related_name="+", blank=True)
    proposed_at = models.DateTimeField()  # UTC
    acknowledged_at = models.DateTimeField(null=True, blank=True)  # UTC: both parties have acknowledged
    closed_at = models.DateTimeField(null=True, blank=True)  # UTC
    closing_note = models.TextField(_("closing note"), blank=True)
    lessons = models.TextField(_("lessons"), blank=True)
    ledger_entry = models.ForeignKey(
        "ledger.LogEntry", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["-proposed_at", "-pk"]
        indexes = [models.Index(fields=["closed_at", "-proposed_at"])]

    def __str__(self) -> str:
        return f"{self.stage}: {self.title}"

    @property
    def signed_by(self) -> str | None:
        """The party code of the peer node that signed the proposal, or None for this node's own."""
        entry = self.ledger_entry
        return entry.log if entry is not None and entry.from_peer else None

    @property
    def is_open(self) -> bool:
        return self.closed_at is None


class StepKind(models.TextChoices):
    """What a step of an alert did."""

    PROPOSAL = "proposal", _("proposed the alert")
    ACKNOWLEDGEMENT = "acknowledgement", _("acknowledged the alert")
    ASSESSMENT = "assessment", _("assessed the stage")
    OWNER = "owner", _("named its owner")
    ACTION = "action", _("added a preventive action")
    ACTION_DONE = "action_done", _("completed a preventive action")
    CLOSING = "closing", _("closed the alert")


class AlertStep(models.Model):
    """One change of an alert, signed by the party that made it (`party`, `organisation`) at `at` (UTC):
    `data` holds what the step says (`stage` and `note` of an assessment, `organisation` of an owner,
    `action`, `text`, `deadline` of an action, `action` and `done_on` of its completion, `note` and `lessons`
    of the closing). The timeline of an alert is its steps in order."""

    uid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    alert = models.ForeignKey(Alert, on_delete=models.CASCADE, related_name="steps")
    kind = models.CharField(max_length=16, choices=StepKind.choices)
    party = models.ForeignKey("people.Party", on_delete=models.PROTECT, related_name="+")
    organisation = models.ForeignKey("people.Organisation", on_delete=models.PROTECT, related_name="+")
    data = models.JSONField(default=dict, blank=True)
    at = models.DateTimeField()  # UTC
    ledger_entry = models.ForeignKey(
        "ledger.LogEntry", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["alert", "at", "pk"]

    def __str__(self) -> str:
        return f"{self.alert_id} {self.kind} by {self.party_id}"

    @property
    def signed_by(self) -> str | None:
        """The party code of the peer node that signed it, or None for this node's own."""
        entry = self.ledger_entry
        return entry.log if entry is not None and entry.from_peer else None


class Assessment(models.Model):
    """A party's latest assessment of an alert's stage (its steps keep every earlier one)."""

    alert = models.ForeignKey(Alert, on_delete=models.CASCADE, related_name="assessments")
    party = models.ForeignKey("people.Party", on_delete=models.PROTECT, related_name="+")
    stage = models.CharField(max_length=10, choices=Stage.choices)
    note = models.TextField(blank=True)
    at = models.DateTimeField()  # UTC

    class Meta:
        ordering = ["alert", "party__code"]
        constraints = [
            models.UniqueConstraint(fields=["alert", "party"], name="supply_chain_one_assessment_per_party")
        ]

    def __str__(self) -> str:
        return f"{self.party_id}: {self.stage}"


class Acknowledgement(models.Model):
    """When a party acknowledged an alert (the proposer's, at the proposal)."""

    alert = models.ForeignKey(Alert, on_delete=models.CASCADE, related_name="acknowledgements")
    party = models.ForeignKey("people.Party", on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField()  # UTC

    class Meta:
        ordering = ["alert", "at"]
        constraints = [
            models.UniqueConstraint(
                fields=["alert", "party"], name="supply_chain_one_acknowledgement_per_party"
            )
        ]

    def __str__(self) -> str:
        return f"{self.party_id} at {self.at:%Y-%m-%d %H:%M}"


class AlertOwner(models.Model):
    """The organisation of a party that owns an alert for that party."""

    alert = models.ForeignKey(Alert, on_delete=models.CASCADE, related_name="owners")
    party = models.ForeignKey("people.Party", on_delete=models.PROTECT, related_name="+")
    organisation = models.ForeignKey("people.Organisation", on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["alert", "party__code"]
        constraints = [
            models.UniqueConstraint(fields=["alert", "party"], name="supply_chain_one_owner_per_party")
        ]

    def __str__(self) -> str:
        return f"{self.party_id}: {self.organisation_id}"


class PreventiveAction(models.Model):
    """A preventive action of an alert: what a party's organisation will do by `deadline`, and the day
    it was done (`done_on`). On time when done on or before its deadline; overdue when open past it."""

    uid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    alert = models.ForeignKey(Alert, on_delete=models.CASCADE, related_name="actions")
    party = models.ForeignKey("people.Party", on_delete=models.PROTECT, related_name="+")
    organisation = models.ForeignKey("people.Organisation", on_delete=models.PROTECT, related_name="+")
    text = models.CharField(_("preventive action"), max_length=500)
    language = models.CharField(_("language"), max_length=2, choices=ContentLanguage.choices)
    deadline = models.DateField(_("deadline"))
    done_on = models.DateField(_("done on"), null=True, blank=True)
    added_at = models.DateTimeField()  # UTC

    class Meta:
        ordering = ["alert", "deadline", "pk"]

    def __str__(self) -> str:
        return f"{self.text} by {self.deadline}"


class AlertSubscription(models.Model):
    """A user who asked to be told by mail, in their language, when an alert is proposed, changes stage or
    is closed (opt-in on the alerts page)."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    since = models.DateTimeField()  # UTC

    def __str__(self) -> str:
        return f"{self.user_id}"

"""The yearly cycle of the partnership (paras 19-23, 44-45): phases, meetings, Council guidance and its
follow-up, priorities, stakeholder input, and the published progress reports."""

import datetime
import uuid
import zoneinfo

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from partnership.people.models import Organisation, Party
from partnership.programme.models import Area, JointAction, Language, SharedRecord


class Agreed(models.Model):
    """A joint decision proposed by one party's secretariat and agreed by the other's (paras 21, 23).

    `agreed_by` is the agreeing party, `agreement_entry` the log entry of its `cycle.agreement` record
    (this node's own when agreed here, the peer's when agreed there); both None while it awaits agreement.
    """

    agreed_by = models.ForeignKey(
        Party, verbose_name=_("agreed by"), on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    agreed_at = models.DateTimeField(_("agreed at"), null=True, blank=True)
    agreement_entry = models.ForeignKey(
        "ledger.LogEntry", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        abstract = True

    @property
    def agreed(self) -> bool:
        return self.agreed_by_id is not None


class Cycle(models.Model):
    """One year of the partnership, moved through its phases by the secretariats (para 23)."""

    class Phase(models.TextChoices):
        # In order: a phase can only be entered from the one before it.
        PLANNED = "planned", _("planned")
        CALL_OPEN = "call_open", _("call for updates open")
        CALL_CLOSED = "call_closed", _("call for updates closed")
        STOCK_TAKE = "stock_take", _("stock-take")
        COUNCIL_HELD = "council_held", _("Council held")
        GUIDANCE_PUBLISHED = "guidance_published", _("guidance published")

    class LateUpdates(models.TextChoices):
        MARK = "mark", _("accepted and marked late")
        REFUSE = "refuse", _("refused")

    year = models.PositiveSmallIntegerField(_("year"), unique=True)
    phase = models.CharField(_("phase"), max_length=24, choices=Phase.choices, default=Phase.PLANNED)
    call_opens = models.DateField(_("call for updates opens"))
    call_closes = models.DateField(_("call for updates closes"))
    council_date = models.DateField(_("Council meeting"), null=True, blank=True)
    # What becomes of an update filed after the call closed: the secretariats decide per cycle (issue 14).
    late_updates = models.CharField(
        _("updates after the call closes"),
        max_length=8,
        choices=LateUpdates.choices,
        default=LateUpdates.MARK,
    )
    # Whether the three dates above are a calendar both parties agreed (the latest agreed proposal);
    # until the first agreement they are the latest proposal's, and the phases cannot advance.
    calendar_agreed = models.BooleanField(_("calendar agreed"), default=False)
    # Whether a proposed calendar awaits the other party (kept by `services.refresh_calendar`, so the
    # cycle page asks for the proposal only when there is one).
    calendar_pending = models.BooleanField(default=False)

    class Meta:
        ordering = ["-year"]
        verbose_name = _("cycle")
        verbose_name_plural = _("cycles")

    def __str__(self) -> str:
        return str(self.year)


class CalendarProposal(SharedRecord, Agreed):
    """A calendar of a cycle proposed by one party's secretariat (`cycle.calendar`); the other party's
    agreement makes it the cycle's calendar. A later proposal replaces a pending one; until it is agreed
    the previous agreed calendar stands."""

    uid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    cycle = models.ForeignKey(Cycle, on_delete=models.CASCADE, related_name="calendar_proposals")
    call_opens = models.DateField(_("call for updates opens"))
    call_closes = models.DateField(_("call for updates closes"))
    council_date = models.DateField(_("Council meeting"), null=True, blank=True)
    party = models.ForeignKey(
        Party, verbose_name=_("proposed by"), on_delete=models.PROTECT, related_name="+"
    )
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    proposed_at = models.DateTimeField(_("proposed at"))

    class Meta:
        ordering = ["cycle", "proposed_at", "uid"]
        verbose_name = _("calendar proposal")
        verbose_name_plural = _("calendar proposals")

    def __str__(self) -> str:
        return f"{self.cycle.year} calendar by {self.party.code}"


class PhaseChange(SharedRecord):
    """Who moved a cycle into which phase, and when: the cycle's own history (`cycle.phase`)."""

    cycle = models.ForeignKey(Cycle, on_delete=models.CASCADE, related_name="phase_changes")
    phase = models.CharField(max_length=24, choices=Cycle.Phase.choices)
    # None for a phase change signed by a peer node (its author is that node's user).
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    changed_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["cycle", "changed_at"]
        verbose_name = _("phase change")
        verbose_name_plural = _("phase changes")

    def __str__(self) -> str:
        return f"{self.cycle.year} → {self.phase}"


class Meeting(SharedRecord):
    """A meeting of an existing cooperation mechanism (para 21) or of the Council (para 20), recorded by
    its host: the secretariat of `party`, which alone records its outcomes and priorities."""

    class Kind(models.TextChoices):
        COUNCIL = "council", _("Digital Partnership Council")
        DIALOGUE = "dialogue", _("dialogue")
        WORKSHOP = "workshop", _("expert workshop")
        ROUND_TABLE = "round_table", _("round table")
        COMMITTEE = "committee", _("committee")

    uid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    cycle = models.ForeignKey(
        Cycle, verbose_name=_("cycle"), on_delete=models.PROTECT, related_name="meetings"
    )
    mechanism = models.ForeignKey(
        Organisation, verbose_name=_("mechanism"), on_delete=models.PROTECT, related_name="meetings"
    )
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    title = models.CharField(_("title"), max_length=300)
    language = models.CharField(_("language"), max_length=8, choices=Language.choices)
    date = models.DateField(_("date"))
    place = models.CharField(_("place"), max_length=200, blank=True)
    online = models.BooleanField(_("online"), default=False)
    participants = models.ManyToManyField(
        Organisation, verbose_name=_("participating organisations"), related_name="+", blank=True
    )
    minutes = models.TextField(_("minutes"), blank=True)
    party = models.ForeignKey(
        Party, verbose_name=_("host"), on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    # None for a meeting this node learnt of from a peer's outcome record (cycle.outcome).
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )

    class Meta:
        ordering = ["-date"]
        verbose_name = _("meeting")
        verbose_name_plural = _("meetings")

    def __str__(self) -> str:
        return f"{self.date} {self.title}"


class AgendaItem(models.Model):
    """One point of a meeting's agenda, linked to the joint actions it concerns."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="agenda")
    position = models.PositiveSmallIntegerField(default=0)
    title = models.CharField(_("title"), max_length=300)
    actions = models.ManyToManyField(
        JointAction, verbose_name=_("joint actions"), related_name="+", blank=True
    )

    class Meta:
        ordering = ["meeting", "position"]
        verbose_name = _("agenda item")
        verbose_name_plural = _("agenda items")

    def __str__(self) -> str:
        return self.title


class Outcome(SharedRecord, Agreed):
    """What a meeting decided or advised. Decisions and guidance have an owner and are followed up in
    every later report until closed (para 20: the Council gives political guidance on next steps)."""

    class Kind(models.TextChoices):
        DECISION = "decision", _("decision")
        GUIDANCE = "guidance", _("guidance")
        NOTE = "note", _("note")

    class FollowUp(models.TextChoices):
        OPEN = "open", _("open")
        IN_PROGRESS = "in_progress", _("in progress")
        CLOSED = "closed", _("closed")

    uid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    meeting = models.ForeignKey(Meeting, on_delete=models.PROTECT, related_name="outcomes")
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    text = models.TextField(_("text"))
    language = models.CharField(_("language"), max_length=8, choices=Language.choices)
    owner = models.ForeignKey(
        Organisation,
        verbose_name=_("owner"),
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
    )
    areas = models.ManyToManyField(Area, verbose_name=_("areas"), related_name="+", blank=True)
    actions = models.ManyToManyField(
        JointAction, verbose_name=_("joint actions"), related_name="+", blank=True
    )
    follow_up = models.CharField(
        _("follow-up"), max_length=16, choices=FollowUp.choices, default=FollowUp.OPEN
    )
    follow_up_note = models.TextField(_("follow-up note"), blank=True)
    closed_in = models.ForeignKey(
        Cycle,
        verbose_name=_("closed in cycle"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["meeting", "pk"]
        verbose_name = _("outcome")
        verbose_name_plural = _("outcomes")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(kind="note") | models.Q(owner__isnull=False), name="guidance_has_an_owner"
            )
        ]

    def __str__(self) -> str:
        return f"{self.kind}: {self.text[:60]}"


class Priority(SharedRecord, Agreed):
    """A priority the Council sets for a cycle (para 23: priorities clearly defined and communicated),
    recorded by the host secretariat of the meeting and agreed by the other party's."""

    class Outcome(models.TextChoices):
        PENDING = "pending", _("pending")
        ACHIEVED = "achieved", _("achieved")
        PARTLY = "partly", _("partly achieved")
        NOT_ACHIEVED = "not_achieved", _("not achieved")

    uid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    cycle = models.ForeignKey(
        Cycle, verbose_name=_("for cycle"), on_delete=models.PROTECT, related_name="priorities"
    )
    set_at = models.ForeignKey(
        Meeting, verbose_name=_("set at"), on_delete=models.PROTECT, related_name="priorities"
    )
    area = models.ForeignKey(Area, verbose_name=_("area"), on_delete=models.PROTECT, null=True, blank=True)
    action = models.ForeignKey(
        JointAction, verbose_name=_("joint action"), on_delete=models.PROTECT, null=True, blank=True
    )
    rationale = models.TextField(_("rationale"))
    language = models.CharField(_("language"), max_length=8, choices=Language.choices)
    result = models.CharField(
        _("what became of it"), max_length=16, choices=Outcome.choices, default=Outcome.PENDING
    )
    result_note = models.TextField(_("note on the result"), blank=True)

    class Meta:
        ordering = ["cycle", "pk"]
        verbose_name = _("priority")
        verbose_name_plural = _("priorities")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(area__isnull=False) | models.Q(action__isnull=False),
                name="priority_has_a_subject",
            )
        ]

    def __str__(self) -> str:
        return f"{self.cycle.year}: {self.rationale[:60]}"


class ConsultationWindow(SharedRecord):
    """When stakeholders and Member States may send contributions for a cycle (paras 22, 45)."""

    uid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    party = models.ForeignKey(
        Party, verbose_name=_("opened by"), on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    cycle = models.ForeignKey(Cycle, on_delete=models.PROTECT, related_name="windows")
    title = models.CharField(_("title"), max_length=300)
    opens = models.DateTimeField(_("opens"))
    closes = models.DateTimeField(_("closes"))

    class Meta:
        ordering = ["cycle", "opens"]
        verbose_name = _("consultation window")
        verbose_name_plural = _("consultation windows")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(closes__gt=models.F("opens")), name="window_closes_after_opening"
            )
        ]

    def __str__(self) -> str:
        return self.title

    # A window is whole days in the zone of the party that opened it (`services.open_window`): it is
    # shown as its first and last day there, never as two times ("09:00 – 08:59" read in JST).
    @property
    def time_zone(self) -> str:
        """The zone of the window's days: its opening party's (UTC for a window of no party)."""
        return self.party.time_zone if self.party_id and self.party else "UTC"

    @property
    def opening_day(self) -> datetime.date:
        """The window's first day, in its zone."""
        return self.opens.astimezone(zoneinfo.ZoneInfo(self.time_zone)).date()

    @property
    def closing_day(self) -> datetime.date:
        """The window's last day (inclusive), in its zone: the day before the midnight it closes at."""
        last_moment = self.closes - datetime.timedelta(microseconds=1)
        return last_moment.astimezone(zoneinfo.ZoneInfo(self.time_zone)).date()


def contribution_path(instance: "Contribution", filename: str) -> str:
    # A fresh name: an uploaded file's own name is user input and must not choose a path.
    suffix = filename.rsplit(".", 1)[-1].lower() if "." in filename else "bin"
    return f"contributions/{instance.uid}.{suffix[:8]}"


class Contribution(SharedRecord):
    """A stakeholder's or Member State's input, moderated by the secretariats; accepted ones are public
    and shared (`cycle.contribution`: the attachment's name and SHA-256, not the file)."""

    class Status(models.TextChoices):
        PENDING = "pending", pgettext_lazy("contribution status", "pending")  # awaiting moderation
        ACCEPTED = "accepted", _("accepted")
        REJECTED = "rejected", _("rejected")

    uid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    window = models.ForeignKey(ConsultationWindow, on_delete=models.PROTECT, related_name="contributions")
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    # None for a contribution signed by a peer node.
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    text = models.TextField(_("contribution"))
    language = models.CharField(_("language"), max_length=8, choices=Language.choices)
    attachment = models.FileField(_("attachment"), upload_to=contribution_path, blank=True)
    # The attachment as shared: its name and SHA-256 (a peer's contribution holds no file).
    attachment_name = models.CharField(_("attachment name"), max_length=255, blank=True)
    attachment_sha256 = models.CharField(max_length=64, blank=True)
    areas = models.ManyToManyField(Area, verbose_name=_("areas"), related_name="+", blank=True)
    actions = models.ManyToManyField(
        JointAction, verbose_name=_("joint actions"), related_name="+", blank=True
    )
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.PENDING)
    moderated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    reason = models.TextField(_("reason for rejection"), blank=True)
    reply = models.TextField(_("reply"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("contribution")
        verbose_name_plural = _("contributions")

    def __str__(self) -> str:
        return f"{self.organisation.code}: {self.text[:60]}"


class Reminder(models.Model):
    """A reminder sent to an action lead; one per lead, action, party and day, never two."""

    cycle = models.ForeignKey(Cycle, on_delete=models.CASCADE, related_name="reminders")
    action = models.ForeignKey(JointAction, on_delete=models.CASCADE, related_name="+")
    recipient = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    reason = models.CharField(max_length=32)
    sent_on = models.DateField()

    class Meta:
        verbose_name = _("reminder")
        verbose_name_plural = _("reminders")
        constraints = [
            models.UniqueConstraint(
                fields=["cycle", "action", "recipient", "reason", "sent_on"], name="one_reminder_a_day"
            )
        ]

    def __str__(self) -> str:
        return f"{self.sent_on} {self.recipient} {self.action.paragraph}"


class PublishedReport(SharedRecord):
    """A progress report to the Council, frozen at publication: its data as JSON and the data's SHA-256.
    Later edits to the programme never change it (para 44: clear progress reports).

    Publishing signs the SHA-256 (`ReportSignature`) and shares the report as a `cycle.report` record, so
    both parties' nodes hold and serve the same document; `ledger_entry` is that record's entry (a peer's
    entry when the report was published on the other party's node, then `published_by` is empty)."""

    uid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    cycle = models.OneToOneField(Cycle, on_delete=models.PROTECT, related_name="report")
    data = models.JSONField()
    sha256 = models.CharField(max_length=64)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    # The party whose secretariat published (null for reports published before reports were signed).
    party = models.ForeignKey(Party, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    # The time of the signed record (the same on both nodes), not of the row.
    published_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-cycle__year"]
        verbose_name = _("published report")
        verbose_name_plural = _("published reports")

    def __str__(self) -> str:
        return f"report {self.cycle.year}"

    def save(self, *args, **kwargs) -> None:
        if not self._state.adding:
            raise ValueError("a published report is frozen")
        super().save(*args, **kwargs)


class ReportSignature(SharedRecord):
    """One party's Ed25519 signature of a published report's SHA-256 (`report.signatures.message`).

    The publisher's party signs at publication; the other party's secretariat countersigns after reading
    the same frozen document. `key` is the verifier key (C2SP) of the node that signed: the party's own
    node when federated, the one node key on the embedded single node, where both parties sign with it.
    `ledger_entry` is the `cycle.report` or `cycle.report_signature` record that carried it."""

    report = models.ForeignKey(PublishedReport, on_delete=models.PROTECT, related_name="signatures")
    party = models.ForeignKey(Party, on_delete=models.PROTECT, related_name="+")
    key = models.CharField(max_length=200)
    signature = models.CharField(max_length=100)  # base64 of the 64-byte signature
    signed_at = models.DateTimeField(default=timezone.now)
    made_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["signed_at", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["report", "party"], name="cycle_report_signature_one_per_party")
        ]

    def __str__(self) -> str:
        return f"{self.party} signature of {self.report}"

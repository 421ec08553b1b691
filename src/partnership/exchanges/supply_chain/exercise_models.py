"""Tabletop exercises of supply-chain crisis preparedness (issue 16, item 4; para 46: crisis
preparedness).

A party's secretariat or action lead writes an `Exercise`: a scenario of ordered injects, each at a
scenario time offset (minutes from T+0), an injected event (the fields of a real `Event`) or injected
observations of a series (a synthetic series, or values appended to a copy of a real one so its detectors
fire). Its secretariat starts an `ExerciseRun`; the injects are released in order (a facilitator's
"release next inject", or the scenario clock), and both parties respond on the same stage scale and with
the same kinds of step as a real alert. Every release and every response is an `ExerciseStep`, one signed
record of the party that made it, timestamped with the person who made it.

Exercise data is kept apart from real data by living in these tables only: no real list, dashboard,
Council indicator, signal, register or subscriber mail reads them (tests/exchanges/supply_chain/
test_exercises.py proves it for each).
"""

import uuid

from django.db import models
from django.utils.translation import gettext_lazy as _

from partnership.people.tlp import Tlp

from .alert_models import ContentLanguage


class InjectType(models.TextChoices):
    """What an inject injects."""

    EVENT = "event", _("an injected event")
    OBSERVATIONS = "observations", _("injected observations of a series")


class Exercise(models.Model):
    """A scenario: `title`, `description` in `language`, a TLP level (`recipients`: the organisations an
    AMBER or RED scenario names) and `injects`, the checked list in release order (each with its
    `offset` in minutes and `type`). Only the authoring party's writers read the injects before they are
    released. `revision` grows with each change; `ledger_entry` is the latest signed description (a
    peer's log entry: a read-only copy, which carries no injects)."""

    uid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    party = models.ForeignKey("people.Party", on_delete=models.PROTECT, related_name="+")
    organisation = models.ForeignKey("people.Organisation", on_delete=models.PROTECT, related_name="+")
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    language = models.CharField(_("language"), max_length=2, choices=ContentLanguage.choices)
    tlp = models.CharField(_("TLP"), max_length=12, choices=Tlp.choices, default=Tlp.GREEN)
    recipients = models.ManyToManyField("people.Organisation", related_name="+", blank=True)
    injects = models.JSONField(default=list, blank=True)
    inject_count = models.PositiveIntegerField(default=0)
    revision = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField()  # UTC
    changed_at = models.DateTimeField()  # UTC
    ledger_entry = models.ForeignKey(
        "ledger.LogEntry", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["-changed_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.party_id}: {self.title}"

    @property
    def signed_by(self) -> str | None:
        """The party code of the peer node that signed it, or None for this node's own."""
        entry = self.ledger_entry
        return entry.log if entry is not None and entry.from_peer else None


class ExerciseRun(models.Model):
    """One playing of an exercise, facilitated by the exercise's party (`party`, `organisation`) from
    `started_at` (UTC) to `ended_at`. `released` injects are out; `speed` is the scenario clock (scenario
    minutes per real minute; 0: injects are released by the facilitator only). `injects` is the scenario's
    list as it was at the start (a later revision of the exercise does not change a run under way)."""

    uid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    exercise = models.ForeignKey(Exercise, on_delete=models.CASCADE, related_name="runs")
    party = models.ForeignKey("people.Party", on_delete=models.PROTECT, related_name="+")
    organisation = models.ForeignKey("people.Organisation", on_delete=models.PROTECT, related_name="+")
    speed = models.FloatField(default=0)
    started_at = models.DateTimeField()  # UTC
    ended_at = models.DateTimeField(null=True, blank=True)  # UTC
    released = models.PositiveIntegerField(default=0)
    injects = models.JSONField(default=list, blank=True)  # the scenario's when it started ([] on a peer)
    inject_count = models.PositiveIntegerField(default=0)
    ledger_entry = models.ForeignKey(
        "ledger.LogEntry", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["-started_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.exercise_id} run at {self.started_at:%Y-%m-%d %H:%M}"

    @property
    def is_open(self) -> bool:
        return self.ended_at is None

    @property
    def signed_by(self) -> str | None:
        """The party code of the peer node that signed its start, or None for this node's own."""
        entry = self.ledger_entry
        return entry.log if entry is not None and entry.from_peer else None


class ExerciseStepKind(models.TextChoices):
    """What a step of a run did: the facilitator's (start, release, end), a party's response to a
    released inject (the steps of a real alert), or a party's lessons of the whole run."""

    START = "start", _("started the exercise")
    RELEASE = "release", _("released an inject")
    END = "end", _("ended the exercise")
    PROPOSAL = "proposal", _("raised an exercise alert")
    ACKNOWLEDGEMENT = "acknowledgement", _("acknowledged the inject")
    ASSESSMENT = "assessment", _("assessed the stage")
    OWNER = "owner", _("named its owner")
    ACTION = "action", _("added a preventive action")
    ACTION_DONE = "action_done", _("completed a preventive action")
    CLOSING = "closing", _("closed the exercise alert")
    LESSONS = "lessons", _("recorded its lessons")


class ExerciseStep(models.Model):
    """One step of a run, signed by the party that made it (`party`, `organisation`; `person`: who, by
    name) at `at` (UTC). `inject` is the index of the inject it answers (a release's: the one released;
    None for start, end and lessons); `data` holds what it says (a release: the inject and the signals its
    observations raise; a response: what the same step of a real alert holds)."""

    uid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    run = models.ForeignKey(ExerciseRun, on_delete=models.CASCADE, related_name="steps")
    inject = models.PositiveIntegerField(null=True, blank=True)
    kind = models.CharField(max_length=16, choices=ExerciseStepKind.choices)
    party = models.ForeignKey("people.Party", on_delete=models.PROTECT, related_name="+")
    organisation = models.ForeignKey("people.Organisation", on_delete=models.PROTECT, related_name="+")
    person = models.CharField(max_length=200, blank=True)
    data = models.JSONField(default=dict, blank=True)
    at = models.DateTimeField()  # UTC
    ledger_entry = models.ForeignKey(
        "ledger.LogEntry", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["run", "at", "pk"]
        indexes = [models.Index(fields=["run", "inject", "kind"])]

    def __str__(self) -> str:
        return f"{self.run_id} {self.kind} by {self.party_id}"

    @property
    def signed_by(self) -> str | None:
        """The party code of the peer node that signed it, or None for this node's own."""
        entry = self.ledger_entry
        return entry.log if entry is not None and entry.from_peer else None

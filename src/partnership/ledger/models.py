"""Storage of the logs (RFC 6962 / RFC 9162) this node keeps: its own, and a verified copy of each peer's.

`log` names whose log a row belongs to: "" is this node's own log, a party code (e.g. "EU") the copy of
that party's node's log, pulled and verified by `sync`.
"""

import json

from django.db import models
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

OWN = ""


def render_error(data: str) -> str:
    """A stored sync error or reason a record was not applied (`SyncError.as_data`,
    `RecordRejected.as_data`: msgid and parameters) in the active language; any other text as it is."""
    try:
        message, params = json.loads(data)
    except (ValueError, TypeError):
        return data
    if not isinstance(message, str) or not isinstance(params, dict):
        return data
    if not params:
        return gettext(message)  # e.g. a reason worded whole, which may hold a "%" of its own
    if isinstance(params.get("what"), str):
        # `what` names the kind of object (peer_records: "series", "the author organisation"): a msgid too.
        params = {**params, "what": gettext(params["what"])}
    try:
        return gettext(message) % params
    except (ValueError, TypeError, KeyError):
        return message % params


class LogEntry(models.Model):
    """One signed record at position `index` of a log; `leaf_hash` = SHA-256(0x00 || record)."""

    log = models.CharField(max_length=32, default=OWN, blank=True)
    index = models.BigIntegerField()
    leaf_hash = models.BinaryField(max_length=32)
    record = models.BinaryField()  # the RFC 8785 canonical JSON that was signed
    signature = models.BinaryField(max_length=64)
    key_id = models.CharField(max_length=8)  # C2SP key ID (hex) of the signing key
    created_at = models.DateTimeField(auto_now_add=True)
    # For a peer's entry: why its record could not be applied to this node's data ("" when it was).
    apply_error = models.TextField(blank=True)

    class Meta:
        ordering = ["log", "index"]
        constraints = [models.UniqueConstraint(fields=["log", "index"], name="ledger_entry_unique")]
        # A record is known by its hash: sync looks a page's records up to find replays (sync._replays).
        indexes = [models.Index(fields=["log", "leaf_hash"], name="ledger_entry_record_hash")]

    def __str__(self) -> str:
        return f"{self.log or 'own'} entry {self.index}"

    @property
    def from_peer(self) -> bool:
        return self.log != OWN

    @property
    def apply_error_text(self) -> str:
        return render_error(self.apply_error)


class Subtree(models.Model):
    """A complete, aligned power-of-two subtree of at least two leaves: MTH of leaves
    [start, start + 2**level). Leaves (level 0) are the entries' leaf hashes."""

    log = models.CharField(max_length=32, default=OWN, blank=True)
    start = models.BigIntegerField()
    level = models.PositiveSmallIntegerField()
    hash = models.BinaryField(max_length=32)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["log", "level", "start"], name="ledger_subtree_unique")
        ]

    def __str__(self) -> str:
        return f"{self.log or 'own'} subtree {self.start}+2^{self.level}"


class Checkpoint(models.Model):
    """A signed C2SP checkpoint (tlog-checkpoint) of a log at `size` entries: signed by this node for
    its own log, or seen from a peer (every one a peer ever served is kept, to detect forks)."""

    log = models.CharField(max_length=32, default=OWN, blank=True)
    size = models.BigIntegerField()
    root = models.BinaryField(max_length=32)
    note = models.TextField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["log", "size"]
        constraints = [models.UniqueConstraint(fields=["log", "size"], name="ledger_checkpoint_unique")]

    def __str__(self) -> str:
        return f"{self.log or 'own'} checkpoint {self.size}"


class SigningKey(models.Model):
    """A public key that signs a log's entries and checkpoints. This node's keys are recorded when first
    used and kept after a rotation, so old entries stay verifiable; a peer's keys come from the
    configuration or from a rotation record in the peer's verified log."""

    log = models.CharField(max_length=32, default=OWN, blank=True)
    name = models.CharField(max_length=64)  # the signed-note key name (the node's origin)
    key_id = models.CharField(max_length=8)
    public_key = models.BinaryField(max_length=32)
    added_at = models.DateTimeField(auto_now_add=True)
    # This node's retired key: it still co-signs checkpoints until then, so peers that have not yet
    # pulled the rotation record keep verifying.
    overlap_until = models.DateTimeField(null=True, blank=True)
    retired = models.BooleanField(default=False)

    class Meta:
        ordering = ["log", "added_at", "pk"]
        constraints = [models.UniqueConstraint(fields=["log", "key_id"], name="ledger_key_unique")]

    def __str__(self) -> str:
        return f"{self.log or 'own'} key {self.name}+{self.key_id}"


class Peer(models.Model):
    """What this node knows of a peer node's log: where sync stands, and whether it is stopped."""

    class State(models.TextChoices):
        OK = "ok", _("in sync")
        FAILING = "failing", _("last sync failed")
        FORKED = "forked", _("forked: sync stopped")

    party = models.CharField(max_length=32, unique=True)
    url = models.URLField(max_length=500)
    state = models.CharField(max_length=16, choices=State.choices, default=State.OK)
    last_attempt_at = models.DateTimeField(null=True, blank=True)
    last_success_at = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True)
    fork_evidence = models.TextField(blank=True)  # the two conflicting signed notes, or the failing proof
    forked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["party"]

    def __str__(self) -> str:
        return self.party

    @property
    def error_text(self) -> str:
        return render_error(self.last_error)


class UsedNonce(models.Model):
    """A challenge nonce a peer node's signed request has used (`node_requests`): a nonce serves once, so
    a captured request cannot be replayed. Kept only while the nonce could still be fresh."""

    nonce = models.CharField(max_length=128, unique=True)
    used_at = models.DateTimeField(db_index=True)

    def __str__(self) -> str:
        return self.nonce


class SelfCheck(models.Model):
    """Where the node's own check of a log it stores stands (`selfcheck.check_log`): how far the log has
    been verified, where the rolling re-check of older entries is, and what it found."""

    log = models.CharField(max_length=32, default=OWN, blank=True, unique=True)
    verified_size = models.BigIntegerField(default=0)  # entries [0, verified_size) were checked once
    cursor = models.BigIntegerField(default=0)  # the first entry of the next older block to re-check
    checked_at = models.DateTimeField(null=True, blank=True)
    failed_since = models.DateTimeField(null=True, blank=True)
    # JSON {part: [[msgid, params], ...]}: what is wrong, by the block of entries (or "tree") it was
    # found in; a part is cleared when it is checked again and found whole.
    problems = models.TextField(blank=True)

    def __str__(self) -> str:
        return f"{self.log or 'own'} self-check"

    def problem_data(self) -> dict[str, list]:
        try:
            data = json.loads(self.problems or "{}")
        except ValueError:
            return {}
        return data if isinstance(data, dict) else {}

    @property
    def ok(self) -> bool:
        return not any(self.problem_data().values())

    @property
    def problem_texts(self) -> list[str]:
        """What is wrong, in the active language, first block first."""
        parts = sorted(
            self.problem_data().items(),
            key=lambda item: (not item[0].isdigit(), int(item[0]) if item[0].isdigit() else 0),
        )
        return [render_error(json.dumps(item)) for _part, items in parts for item in items]

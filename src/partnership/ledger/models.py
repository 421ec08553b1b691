"""Storage of the node's append-only log (RFC 6962 / RFC 9162) and its signed checkpoints."""

from django.db import models


class LogEntry(models.Model):
    """One signed record at position `index` of the log; `leaf_hash` = SHA-256(0x00 || record)."""

    index = models.BigIntegerField(unique=True)
    leaf_hash = models.BinaryField(max_length=32)
    record = models.BinaryField()  # the RFC 8785 canonical JSON that was signed
    signature = models.BinaryField(max_length=64)
    key_id = models.CharField(max_length=8)  # C2SP key ID (hex) of the signing key
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["index"]

    def __str__(self) -> str:
        return f"entry {self.index}"


class Subtree(models.Model):
    """A complete, aligned power-of-two subtree of at least two leaves: MTH of leaves
    [start, start + 2**level). Leaves (level 0) are the entries' leaf hashes."""

    start = models.BigIntegerField()
    level = models.PositiveSmallIntegerField()
    hash = models.BinaryField(max_length=32)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["level", "start"], name="ledger_subtree_unique")]

    def __str__(self) -> str:
        return f"subtree {self.start}+2^{self.level}"


class Checkpoint(models.Model):
    """A signed C2SP checkpoint (tlog-checkpoint) of the log at `size` entries."""

    size = models.BigIntegerField(unique=True)
    root = models.BinaryField(max_length=32)
    note = models.TextField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["size"]

    def __str__(self) -> str:
        return f"checkpoint {self.size}"

"""Signals the ledger sends; other apps connect to them (the ledger imports none of ours)."""

from django.dispatch import Signal

#: A peer served a log that contradicts what it signed before. Sent with `party` (the peer's party
#: code) and `evidence` (what conflicts, in words, with the signed notes), once per fork detected.
fork_detected = Signal()

"""The ledger: canonical JSON, signatures, a Merkle transparency log, checkpoints (issue 4)."""

"""Threat-intelligence sharing between the parties' ISACs over TAXII 2.1 (para 54, para 30)."""

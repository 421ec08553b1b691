"""Verify EU Digital COVID Certificates, SMART Health Cards and ICAO VDS-NC seals (joint action para 78).

A library first: importable and usable without Django settings. `verify(text, trust, at)` detects the
format, decodes and verifies it step by step, and returns a `Result` with one normalised `Certificate`
or the `CertificateError` (code, step, message) of the first step that failed. The Django app of the
same package (apps, models, api, views, management commands) is a thin shell around it.
"""

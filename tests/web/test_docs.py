"""Generated documentation must match the code (STYLE.md 13)."""

from django.core.management import call_command


def test_cli_reference_and_openapi_document_are_current(db):
    # Fails with "stale: ...; run `make docs`" when a command's options or the API changed.
    call_command("gendocs", "--check")

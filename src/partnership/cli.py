"""The `partnership` console command: Django's management commands with our settings."""

import os
import sys


def main(argv: list[str] | None = None) -> None:
    """Run a management command, e.g. `partnership demo` or `partnership load-programme FILE`."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "partnership.settings")
    from django.core.management import execute_from_command_line

    argv = list(sys.argv if argv is None else argv)
    # Management commands cannot contain dashes in their module names; accept the documented
    # spelling `load-programme` as well as `load_programme`.
    if len(argv) > 1 and not argv[1].startswith("-"):
        argv[1] = argv[1].replace("-", "_")
    execute_from_command_line(argv)


if __name__ == "__main__":
    main()

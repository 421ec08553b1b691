"""`partnership check` names a misconfiguration in words."""

import pytest
from django.core.management import call_command
from django.core.management.base import SystemCheckError


def test_unknown_node_party_is_reported(programme, settings):
    settings.NODE_PARTY = "XX"
    with pytest.raises(SystemCheckError, match="PARTNERSHIP_NODE_PARTY is 'XX'"):
        call_command("check")


def test_known_node_party_passes(programme, settings):
    settings.NODE_PARTY = "JP"
    call_command("check")


def test_empty_allowed_hosts_is_an_error(programme, settings):
    settings.ALLOWED_HOSTS = []
    with pytest.raises(SystemCheckError, match="PARTNERSHIP_ALLOWED_HOSTS is empty"):
        call_command("check")


def test_a_data_directory_others_can_read_is_reported(programme, settings, tmp_path):
    """settings.py makes the data directory private at start; one it could not change is reported."""
    data_dir = tmp_path / "shared"
    data_dir.mkdir()
    data_dir.chmod(0o755)
    settings.DATA_DIR = data_dir
    settings.MEDIA_ROOT = data_dir / "uploads"
    with pytest.raises(SystemCheckError, match=f"{data_dir} has mode 0755"):
        call_command("check", fail_level="WARNING")
    data_dir.chmod(0o700)
    call_command("check", fail_level="WARNING")

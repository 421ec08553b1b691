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

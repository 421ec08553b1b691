"""Route resilience between Japan and the EU on TeleGeography's real map, and on small maps whose
answers can be worked out by hand: direct cables, hub paths, the min-cut, cuts and corridors, through
the command, the API and the page alike."""

import json

import networkx as nx
import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client, override_settings

from partnership.errors import Invalid, PermissionDenied
from partnership.exchanges.cable_outages import queries, routes
from partnership.exchanges.cable_outages.queries import OPERATOR, RouteQuestion

pytestmark = pytest.mark.django_db

EU = frozenset(
    [
        "AT",
        "BE",
        "BG",
        "HR",
        "CY",
        "CZ",
        "DK",
        "EE",
        "FI",
        "FR",
        "DE",
        "GR",
        "HU",
        "IE",
        "IT",
        "LV",
        "LT",
        "LU",
        "MT",
        "NL",
        "PL",
        "PT",
        "RO",
        "SK",
        "SI",
        "ES",
        "SE",
    ]
)


def run(*args) -> dict:
    from io import StringIO

    out = StringIO()
    call_command("cables", *args, "--json", stdout=out)
    return json.loads(out.getvalue())


def test_the_direct_cables_are_exactly_seamewe_3_and_flag_europe_asia(imported_v3):
    answer = run("routes", "--from", "JP", "--to", "EU")
    assert answer["direct"] == ["flag-europe-asia-fea", "seamewe-3"]
    assert set(answer) == {"direct", "min_cut", "min_cut_cables", "hubs", "paths"}
    assert answer["min_cut"] == len(answer["min_cut_cables"]) > 2
    assert {"SG", "EG", "US"} <= set(answer["hubs"])
    assert {"via": ["US"]}.items() <= next(p for p in answer["paths"] if p["via"] == ["US"]).items()


def test_after_cutting_both_direct_cables_japan_and_the_eu_are_still_connected_through_hubs(imported_v3):
    answer = run("cut", "seamewe-3", "flag-europe-asia-fea", "--from", "JP", "--to", "EU")
    assert answer["direct"] == [] and answer["connected"] is True
    assert answer["removed"] == ["flag-europe-asia-fea", "seamewe-3"]
    assert answer["paths"] and all(len(path["via"]) in (1, 2) for path in answer["paths"])
    before = run("routes", "--from", "JP", "--to", "EU")
    assert answer["min_cut"] == before["min_cut"] - 2  # both were in every smallest cut


def test_cutting_the_red_sea_leaves_the_pacific_and_atlantic_route(imported_v3):
    answer = run("cut", "--corridor", "red-sea-suez", "--from", "JP", "--to", "EU")
    assert "seamewe-3" in answer["removed"] and "flag-europe-asia-fea" in answer["removed"]
    assert answer["connected"] and "US" in answer["hubs"]


def test_the_min_cut_disconnects_the_parties_and_is_what_networkx_finds(imported_v3):
    found = queries.links(OPERATOR)
    answer = routes.analyse(found, frozenset({"JP"}), EU)
    after = routes.analyse(found, frozenset({"JP"}), EU, frozenset(answer.min_cut_cables))
    assert not after.connected and after.min_cut == 0
    # networkx's own node connectivity on the cable-country graph, counted in cables, agrees.
    network = routes.flow_network(found, frozenset({"JP"}), EU)
    assert nx.maximum_flow_value(network, routes.SOURCE, routes.SINK) == answer.min_cut


def test_a_small_map_worked_by_hand():
    def link(slug, *countries):
        return routes.Link(slug, slug, tuple((f"{slug}-{code}", code) for code in countries))

    found = [
        link("a", "JP", "FR"),
        link("b", "JP", "SG"),
        link("c", "SG", "DE"),
        link("d", "SG", "IN"),
        link("e", "IN", "IT"),
        link("f", "JP", "US"),
        link("g", "US", "GB"),
    ]
    answer = routes.analyse(found, frozenset({"JP"}), EU)
    assert answer.direct == ["a"] and answer.min_cut == 2 and answer.min_cut_cables == ["a", "b"]
    assert answer.paths[0] == {"via": ["SG"], "legs": [["b"], ["c"]]}
    assert {"via": ["SG", "IN"], "legs": [["b"], ["d"], ["e"]]} in answer.paths
    cut = routes.analyse(found, frozenset({"JP"}), EU, frozenset({"a", "b"}))
    assert not cut.connected and cut.paths == []


def test_bad_questions_are_refused_naming_the_field(imported_v3):
    with pytest.raises(Invalid, match="from"):
        queries.route_answer(OPERATOR, RouteQuestion("XX1", "EU"))
    with pytest.raises(Invalid, match="no-such-cable"):
        queries.cut_answer(OPERATOR, RouteQuestion("JP", "EU", ("no-such-cable",)))
    with pytest.raises(Invalid, match="corridor"):
        queries.cut_answer(OPERATOR, RouteQuestion("JP", "EU", (), ("hormuz",)))
    with pytest.raises(CommandError, match="hormuz"):
        run("cut", "--corridor", "hormuz")


def test_parties_are_configurable(imported_v3):
    with override_settings(CABLE_PARTIES="JP:JP;EU:FR"):
        answer = queries.route_answer(OPERATOR, RouteQuestion("JP", "EU"))
    assert answer["direct"] == ["seamewe-3"]  # FLAG Europe-Asia lands in Italy and Spain, not France
    assert queries.route_answer(OPERATOR, RouteQuestion("JP", "SG"))["direct"]  # an ISO code is a party


def test_who_reads_the_routes(members, imported_v3):
    from django.contrib.auth.models import AnonymousUser, User

    for name in ("jp_stakeholder", "eu_member_state", "eu_lead"):
        assert queries.route_answer(members[name], RouteQuestion())["direct"]
    with pytest.raises(PermissionDenied):
        queries.route_answer(AnonymousUser(), RouteQuestion())
    outsider = User.objects.create_user("no-party", password="a-long-password-1")
    with pytest.raises(PermissionDenied):
        queries.route_answer(outsider, RouteQuestion())


def test_the_api_answers_as_the_command(members, imported_v3, token_for):
    client = Client()
    header = {"HTTP_AUTHORIZATION": token_for(members["eu_member_state"])}
    answer = client.get("/api/v1/cables/routes?from=JP&to=EU", **header).json()
    assert answer["direct"] == ["flag-europe-asia-fea", "seamewe-3"] and answer["from"] == "JP"
    cut = client.get(
        "/api/v1/cables/cut?from=JP&to=EU&cable=seamewe-3&cable=flag-europe-asia-fea", **header
    ).json()
    assert cut["connected"] is True and cut["direct"] == []
    assert client.get("/api/v1/cables/cut?cable=nope", **header).status_code == 422
    assert client.get("/api/v1/cables/routes").status_code == 401
    cable = client.get("/api/v1/cables/cables/seamewe-3", **header).json()
    assert "KDDI" in cable["owners"] and any(landing["country_code"] == "JP" for landing in cable["landings"])
    listed = client.get("/api/v1/cables/cables?country=JP&page_size=200", **header).json()
    assert "seamewe-3" in {item["id"] for item in listed["items"]}
    imports = client.get("/api/v1/cables/imports", **header).json()
    assert imports[0]["layout"] == "v3" and len(imports[0]["changes"]["new"]) == 521


def test_the_pages_in_both_languages(members, imported_v3):
    client = Client()
    client.force_login(members["jp_stakeholder"])
    page = client.get("/en/cables/routes/?from=JP&to=EU&cut=seamewe-3&cut=flag-europe-asia-fea")
    html = page.content.decode()
    assert page.status_code == 200 and "are still connected" in html
    japanese = client.get("/ja/cables/routes/?corridor=red-sea-suez").content.decode()
    assert "紅海" in japanese
    cable = client.get("/ja/cables/cable/seamewe-3/").content.decode()
    assert "KDDI" in cable and "Okinawa, Japan" in cable
    assert client.get("/en/cables/cable/no-such-cable/").status_code == 404
    for view in ("japan-eu", "world"):
        response = client.get(f"/en/cables/?view={view}")
        assert response.status_code == 200 and len(response.content) < 1_000_000
        assert b"<script" not in response.content.split(b"<svg", 1)[1].split(b"</svg>")[0]
        assert b"style=" not in response.content


def test_a_path_whose_legs_are_all_one_cable_is_not_a_path_through_a_hub():
    through_egypt = routes.Link("smw", "smw", (("tokyo", "JP"), ("suez", "EG"), ("marseille", "FR")))
    answer = routes.analyse([through_egypt], frozenset({"JP"}), EU)
    assert answer.direct == ["smw"] and answer.paths == [] and answer.min_cut == 1
    assert routes.distinct(["a"], ["a", "b"]) and not routes.distinct(["a"], ["a"], ["a", "b"])


def test_the_list_counts_each_landing_once_when_filtered_by_country(members, imported_v3):
    from partnership.exchanges.cable_outages.queries import Filters, cables

    smw3 = cables(members["jp_lead"], Filters(country="CN")).get(slug="seamewe-3")
    assert smw3.landing_count == 38  # four of them in China: the filter's join must not multiply them

"""Hostile input on every read path: integers past any column's range, and NUL characters, in path and
query parameters of every page and API list. Each answers a clear 4xx (or an empty page), never a 500,
on SQLite and on PostgreSQL (which refuses a bigint past 2**63 and a NUL in text).

The routes are walked from the URL configuration and the API's OpenAPI document, so a page or list added
later is probed too.
"""

import re
import uuid

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver

from partnership.api import api
from tests.helpers import signed_in

#: Past a PostgreSQL bigint (2**63 - 1) and past SQLite's 64-bit integers.
HUGE = "99999999999999999999"
NUL = "%00"

#: How each path converter is filled: integers too large for any column, a UUID nobody holds, text.
FILL = {"int": HUGE, "uuid": str(uuid.UUID(int=1)), "slug": "x", "str": "x", "path": "x"}
CONVERTER = re.compile(r"<(?:(?P<converter>[^>:]+):)?(?P<name>[^>]+)>")


def _web_paths(with_converters: bool = True) -> list[str]:
    """Every page pattern (with a converter, or all), filled with hostile values (under /en/)."""
    found: list[str] = []

    def walk(patterns, prefix: str) -> None:
        for entry in patterns:
            route = str(entry.pattern)
            if isinstance(entry, URLResolver):
                if route.startswith(("api/", "taxii2/", "i18n/", "^")) or "admin" in route:
                    continue  # the API is walked from its schema; TAXII and the admin have their own rules
                walk(entry.url_patterns, prefix + route)
            elif (
                isinstance(entry, URLPattern)
                and ("<" in route or not with_converters)
                and not route.startswith("^")
            ):
                found.append("/" + CONVERTER.sub(lambda m: FILL[m["converter"] or "str"], prefix + route))

    walk(get_resolver().url_patterns, "")
    return sorted(set(found))


def _api_operations(method: str = "get") -> list[tuple[str, list[str]]]:
    """Every API operation of `method` with its path parameters filled, and its integer query parameters."""
    schema = api.get_openapi_schema()
    found = []
    for path, operations in schema["paths"].items():
        if method not in operations:
            continue
        integers = []
        filled = path
        for parameter in operations[method].get("parameters", []):
            kind = parameter.get("schema", {}).get("type")
            if parameter["in"] == "path":
                value = HUGE if kind == "integer" else FILL.get(parameter["schema"].get("format", ""), "x")
                filled = filled.replace("{" + parameter["name"] + "}", value)
            elif parameter["in"] == "query" and kind == "integer":
                integers.append(parameter["name"])
        found.append((filled, integers))
    return sorted(found)


def _api_text_probes() -> list[str]:
    """Every API GET with a NUL in each text path parameter, or in one query parameter at a time."""
    schema = api.get_openapi_schema()
    found = []
    for path, operations in schema["paths"].items():
        if "get" not in operations:
            continue
        parameters = operations["get"].get("parameters", [])
        plain = hostile = path
        for parameter in parameters:
            if parameter["in"] == "path":
                integer = parameter.get("schema", {}).get("type") == "integer"
                plain = plain.replace("{" + parameter["name"] + "}", "1" if integer else "x")
                hostile = hostile.replace("{" + parameter["name"] + "}", "1" if integer else f"x{NUL}y")
        found.append(hostile)
        found.extend(f"{plain}?{p['name']}=a{NUL}" for p in parameters if p["in"] == "query")
    return sorted(set(found))


WEB_PATHS = _web_paths()
ALL_PAGES = _web_paths(with_converters=False)
#: Query parameters some page reads (lists, filters, searches, report comparisons), all hostile at once.
HOSTILE_QUERY = (
    f"?page={HUGE}&page_size={HUGE}&year={HUGE}&from={HUGE}&to={HUGE}&paragraph={HUGE}"
    f"&q=a{NUL}b&since={NUL}&after={NUL}&area={NUL}&party={NUL}&status={NUL}&history={NUL}"
)
API_GETS = _api_operations("get")
API_TEXT_PROBES = _api_text_probes()
API_WRITES = [
    (method, path)
    for method in ("post", "patch", "put", "delete")
    for path, _integers in _api_operations(method)
    if HUGE in path
]
#: Every API write of the product, exchanges included, with its path parameters filled.
EVERY_API_WRITE = [
    (method, path) for method in ("post", "patch", "put") for path, _integers in _api_operations(method)
]


def test_the_walk_finds_the_pages_and_lists_it_must_probe():
    """The probes below would prove nothing if the walk found nothing."""
    assert "/en/cycles/99999999999999999999/" in WEB_PATHS
    assert "/en/actions/99999999999999999999/" in WEB_PATHS
    assert ("/api/v1/actions/99999999999999999999", []) in API_GETS
    assert any(path == "/api/v1/updates" for path, _ in API_GETS)
    writes = {path for _method, path in EVERY_API_WRITE}
    for path in (
        "/api/v1/platform-reports/statements",
        "/api/v1/supply-chain/events",
        "/api/v1/cables/outages",
    ):
        assert path in writes


def test_a_page_past_the_end_of_a_list_is_empty_and_a_page_size_out_of_range_is_422(members, token_for):
    """The one rule for every API list: past the end is an empty page; a size out of range is named."""
    headers = {"HTTP_AUTHORIZATION": token_for(members["jp_secretariat"])}
    for path in ("/api/v1/actions", "/api/v1/updates", "/api/v1/deliverables", "/api/v1/indicators"):
        body = Client().get(f"{path}?page={HUGE}", **headers).json()
        assert (body["items"], body["next"], body["previous"]) == ([], None, None), path
        assert body["count"] == Client().get(path, **headers).json()["count"], path
        for size in (HUGE, "0", "201"):
            response = Client().get(f"{path}?page_size={size}", **headers)
            assert response.status_code == 422, (path, size)
            assert "page_size" in response.json()["error"]["fields"], (path, size)


def test_an_unknown_paragraph_or_year_far_out_of_range_is_404(members, token_for):
    headers = {"HTTP_AUTHORIZATION": token_for(members["jp_secretariat"])}
    assert Client().get(f"/api/v1/actions/{HUGE}", **headers).status_code == 404
    assert Client().get(f"/api/v1/cycles/{HUGE}").status_code == 404
    assert signed_in(members["jp_secretariat"]).get(f"/en/cycles/{HUGE}/").status_code == 404
    assert signed_in(None).get(f"/en/actions/{HUGE}/").status_code == 404


def _clear(response, case: str) -> None:
    assert response.status_code < 500, (case, response.status_code, response.content[:500])
    assert b"Traceback" not in response.content, case


@pytest.mark.parametrize("path", WEB_PATHS)
def test_a_page_with_an_integer_past_any_column_is_a_clear_answer(members, path):
    for who in (None, members["jp_secretariat"]):
        for method in ("get", "post"):
            response = getattr(signed_in(who), method)(path)
            _clear(response, f"{method} {path} as {who}")
            assert response.status_code in (302, 400, 403, 404, 405), (method, path, response.status_code)


@pytest.mark.parametrize(("path", "integers"), API_GETS)
def test_an_api_read_with_an_integer_past_any_column_is_a_clear_answer(members, token_for, path, integers):
    headers = {"HTTP_AUTHORIZATION": token_for(members["jp_secretariat"])}
    for query in ["", *(f"?{name}={HUGE}" for name in ["page", "page_size", *integers])]:
        response = Client().get(path + query, **headers)
        _clear(response, path + query)


@pytest.mark.parametrize(("method", "path"), API_WRITES)
def test_an_api_write_with_an_integer_past_any_column_is_a_clear_answer(members, token_for, method, path):
    headers = {"HTTP_AUTHORIZATION": token_for(members["jp_secretariat"])}
    response = getattr(Client(), method)(path, data="{}", content_type="application/json", **headers)
    _clear(response, f"{method} {path}")
    assert 400 <= response.status_code < 500, (method, path, response.status_code)


@pytest.mark.parametrize("path", ALL_PAGES)
def test_a_page_with_hostile_query_parameters_is_a_clear_answer(members, path):
    for who in (None, members["jp_secretariat"]):
        _clear(signed_in(who).get(path + HOSTILE_QUERY), f"{path} as {who}")


def test_a_search_for_a_nul_character_is_a_clear_answer(members):
    """PostgreSQL refuses NUL in a text comparison; the search says it found nothing, or why."""
    for who in (None, members["jp_secretariat"]):
        for query in ("%00", "5G%00", "%00%00"):
            response = signed_in(who).get(f"/en/search/?q={query}")
            _clear(response, query)
            assert response.status_code in (200, 400), response.status_code


@pytest.mark.parametrize("path", API_TEXT_PROBES)
def test_an_api_read_with_a_nul_character_is_a_clear_answer(members, token_for, path):
    """PostgreSQL refuses NUL in a text comparison: a NUL in a path or a filter is 404 or 422, never 500."""
    headers = {"HTTP_AUTHORIZATION": token_for(members["jp_secretariat"])}
    for who in ({}, headers):
        response = Client().get(path, **who)
        _clear(response, path)


HOSTILE_BODIES = {
    "not JSON": "{not json",
    "NaN": '{"value": NaN, "title": NaN}',
    "deeply nested": "[" * 10_000 + "]" * 10_000,
    "a formula and a NUL": '{"title": "=HYPERLINK(\\"http://x\\")", "text": "a\\u0000b"}',
    "a number past any double": '{"value": 1' + "0" * 400 + "}",
}


@pytest.mark.parametrize("body", sorted(HOSTILE_BODIES))
@pytest.mark.parametrize(("method", "path"), EVERY_API_WRITE)
def test_an_api_write_with_a_hostile_body_is_a_clear_answer(members, token_for, method, path, body):
    """Every write, sent by a secretariat a body that is not JSON, holds NaN, nests ten thousand deep,
    carries a formula and a NUL, or a number past any double: a clear 4xx, never a 500."""
    headers = {"HTTP_AUTHORIZATION": token_for(members["jp_secretariat"])}
    data = HOSTILE_BODIES[body]
    response = getattr(Client(), method)(path, data=data, content_type="application/json", **headers)
    _clear(response, f"{method} {path} ({body})")
    assert 400 <= response.status_code < 500, (method, path, body, response.status_code)

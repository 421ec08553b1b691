"""Detectors configured per series and the signals they raise (issue 16, item 2): the API matrix of the
detector configurations, impossible ones refused naming the parameter, signals stored after each import
and explained in both languages, on the chart and the dashboard, and counted for the Council."""

import datetime
import json
import math
import re

import pytest
from django.test import Client

from partnership.detection import DEFAULT_DETECTORS
from partnership.exchanges.supply_chain import services
from partnership.exchanges.supply_chain.contract import SupplyChain
from partnership.exchanges.supply_chain.models import Series, Signal

pytestmark = pytest.mark.django_db

API = "/api/v1/supply-chain"
LEAD_TIME = [{"method": "threshold", "name": "danger-zone", "level": 14, "direction": "up"}]


def call(method, path, token=None, body=None):
    headers = {"HTTP_AUTHORIZATION": token} if token else {}
    extra = {"data": json.dumps(body), "content_type": "application/json"} if body is not None else {}
    return getattr(Client(), method)(path, **headers, **extra)


def months(count, start=datetime.date(2015, 1, 1)):
    return [
        datetime.date(start.year + (start.month - 1 + n) // 12, (start.month - 1 + n) % 12 + 1, 1)
        for n in range(count)
    ]


@pytest.fixture
def lead_time(members):
    """A series owned by the JP action lead's organisation: weeks of lead time, crossing 14 in 2021-03."""
    values = [10 + 0.2 * math.sin(n) for n in range(74)] + [16.0, 17.0]
    rows = [{"date": d.isoformat(), "value": f"{v:.2f}"} for d, v in zip(months(76), values, strict=True)]
    result = services.import_observations(
        members["jp_lead"], "JP-LEAD", rows, {"unit": "weeks", "frequency": "monthly"}
    )
    return result.series


@pytest.mark.parametrize(
    ("who", "status"),
    [
        (None, 401),
        ("jp_lead", 200),  # the organisation that owns the series
        ("jp_secretariat", 200),
        ("jp_stakeholder", 403),
        ("eu_secretariat", 403),
        ("eu_lead", 403),
    ],
)
def test_who_may_configure_a_series_detectors(members, token_for, lead_time, who, status):
    token = token_for(members[who]) if who else None
    response = call("put", f"{API}/series/{lead_time.uid}/detectors", token, {"detectors": LEAD_TIME})
    assert response.status_code == status, response.content
    lead_time.refresh_from_db()
    assert lead_time.detectors == (
        [{"method": "threshold", "name": "danger-zone", "level": 14.0, "direction": "up"}]
        if status == 200
        else []
    )
    if status == 200:
        assert response.json()["defaults"] is False and lead_time.revision == 2  # a new, signed revision


@pytest.mark.parametrize(
    ("detectors", "field", "japanese"),
    [
        ([{"method": "cusum", "limit": -1}], "detectors[0].limit", "0より大きく"),
        (
            [{"method": "threshold", "level": 14}, {"method": "magic"}],
            "detectors[1].method",
            "のいずれでもありません",
        ),
        (
            [{"method": "year_over_year", "bound": 0.2, "windw": 3}],
            "detectors[0].windw",
            "この方式の設定項目ではありません",
        ),
        # Valid in kind, but a baseline of centuries would hold the request for minutes.
        ([{"method": "cusum", "baseline": 5000}], "detectors[0].baseline", "520以下"),
        # An integer beyond any double: neither stored nor signed, refused rather than a 500.
        ([{"method": "cusum", "cooldown": 10**30}], "detectors[0].cooldown", "1200以下"),
        ([{"method": "threshold", "level": 10**400}], "detectors[0].level", "有限の数値"),
        # A check across two parameters, worded by the library after the others.
        ([{"method": "change_point", "min_size": 50, "window": 100}], "detectors[0].window", "3区間"),
    ],
)
def test_an_impossible_configuration_is_refused_naming_the_parameter(
    members, token_for, lead_time, detectors, field, japanese
):
    before = list(Signal.objects.values_list("pk", flat=True))
    token = token_for(members["jp_secretariat"])
    response = call("put", f"{API}/series/{lead_time.uid}/detectors", token, {"detectors": detectors})
    assert response.status_code == 422 and field in response.json()["error"]["fields"], response.content
    lead_time.refresh_from_db()
    assert lead_time.detectors == [] and lead_time.revision == 1  # nothing changed
    assert list(Signal.objects.values_list("pk", flat=True)) == before
    translated = Client().put(
        f"{API}/series/{lead_time.uid}/detectors",
        data=json.dumps({"detectors": detectors}),
        content_type="application/json",
        HTTP_AUTHORIZATION=token,
        HTTP_ACCEPT_LANGUAGE="ja",
    )
    assert japanese in translated.json()["error"]["fields"][field]


def test_signals_follow_the_configured_detectors_and_explain_themselves(members, token_for, lead_time):
    token = token_for(members["eu_lead"])  # the other party reads the signals
    call(
        "put",
        f"{API}/series/{lead_time.uid}/detectors",
        token_for(members["jp_lead"]),
        {"detectors": LEAD_TIME},
    )
    (signal,) = call("get", f"{API}/series/{lead_time.uid}/signals", token).json()
    assert (signal["date"], signal["method"], signal["direction"]) == ("2021-03-01", "threshold", "up")
    assert signal["value"] == 16.0 and signal["baseline"] == 14.0
    assert signal["explanation"] == "Threshold: 16 rose above the level 14 (2021-03)"
    listed = call("get", f"{API}/signals?party=JP", token).json()
    assert listed["count"] == 1 and listed["items"][0]["code"] == "JP-LEAD"
    assert call("get", f"{API}/signals").status_code == 401
    # An empty list restores the library's defaults, and their signals replace the threshold's.
    call("put", f"{API}/series/{lead_time.uid}/detectors", token_for(members["jp_lead"]), {"detectors": []})
    back = call("get", f"{API}/series/{lead_time.uid}/detectors", token).json()
    assert back["defaults"] is True and len(back["detectors"]) == len(DEFAULT_DETECTORS)
    assert not Signal.objects.filter(detector="danger-zone").exists()


def test_an_import_runs_detection_and_keeps_when_a_signal_was_first_found(members):
    owner = members["jp_secretariat"]
    values = [100 * math.exp(0.004 * n) * (1 + 0.003 * math.sin(n)) for n in range(96)]
    rows = [{"date": d.isoformat(), "value": f"{v:.3f}"} for d, v in zip(months(96), values, strict=True)]
    first = services.import_observations(owner, "JP-PROD", rows, {"frequency": "monthly"})
    assert not Signal.objects.exists()  # a quiet series
    fall = [
        {"date": d.isoformat(), "value": f"{values[-1] * 0.7:.3f}"}
        for d in months(4, datetime.date(2023, 1, 1))
    ]
    second = services.import_observations(owner, "JP-PROD", fall)
    found = list(Signal.objects.filter(series=first.series))
    assert found and all(signal.release == second.release for signal in found)
    assert {signal.direction for signal in found} == {"down"}
    detected = {signal.pk: signal.detected_at for signal in found}
    services.detect("JP-PROD")  # on demand: the same signals, found when they were first found
    assert {signal.pk: signal.detected_at for signal in Signal.objects.all()} == detected


@pytest.mark.parametrize(("language", "words"), [("en", "rose above the level"), ("ja", "を上回りました")])
def test_the_series_page_marks_each_signal_on_the_chart_and_explains_it(
    client, members, lead_time, language, words
):
    services.set_detectors(members["jp_lead"], lead_time.uid, LEAD_TIME)
    client.force_login(members["eu_lead"])
    html = client.get(f"/{language}/supply-chain/{lead_time.uid}/").content.decode()
    chart = re.search(r"<svg.*?</svg>", html, re.S).group(0)
    assert chart.count('class="signal signal-threshold"') == 1 and words in chart  # the marker, its tooltip
    assert words in html.split("</svg>", 1)[1]  # the table
    assert 'name="detectors"' not in html  # the other party reads the detectors, cannot change them
    assert " style=" not in html


def test_the_page_form_saves_detectors_and_refuses_an_impossible_one(client, members, lead_time):
    client.force_login(members["jp_lead"])
    page = f"/ja/supply-chain/{lead_time.uid}/"
    assert 'name="detectors"' in client.get(page).content.decode()
    refused = client.post(f"{page}detectors/", {"detectors": '[{"method": "cusum", "drift": -1}]'})
    assert refused.status_code == 422 and "detectors[0].drift" in refused.content.decode()
    lead_time.refresh_from_db()
    assert lead_time.detectors == []
    saved = client.post(f"{page}detectors/", {"detectors": json.dumps(LEAD_TIME)})
    assert saved.status_code == 302
    assert Series.objects.get(pk=lead_time.pk).detectors[0]["name"] == "danger-zone"
    client.force_login(members["eu_secretariat"])
    assert client.post(f"{page}detectors/", {"detectors": "[]"}).status_code == 403


def test_the_dashboard_shows_recent_signals_to_members_only(client, members):
    today = datetime.date.today().replace(day=1)
    start = datetime.date(today.year - 7, today.month, 1)
    dates = months(84, start)
    rows = [{"date": d.isoformat(), "value": "10"} for d in dates[:-2]] + [
        {"date": d.isoformat(), "value": "20"} for d in dates[-2:]
    ]
    series = services.import_observations(
        members["eu_secretariat"], "EU-LEAD", rows, {"frequency": "monthly"}
    ).series
    services.set_detectors(members["eu_secretariat"], series.uid, LEAD_TIME)
    client.force_login(members["jp_stakeholder"])
    html = client.get("/en/dashboard/").content.decode()
    assert "Supply-chain signals of the last 90 days" in html and "EU-LEAD" in html
    client.logout()
    assert "EU-LEAD" not in client.get("/en/dashboard/").content.decode()


def test_the_council_indicators_and_report_count_signals(members, lead_time):
    services.set_detectors(members["jp_lead"], lead_time.uid, LEAD_TIME)
    names = {item["name"]["en"]: item["value"] for item in SupplyChain().indicators(2021)}
    assert names["Early-warning signals on JP's series in 2021"] == 1
    section = SupplyChain().report_section(2021, "ja")
    assert any(
        "早期警戒シグナル" in figure["label"] and figure["value"] == 1 for figure in section["figures"]
    )
    assert any("シグナル" in event for event in section["events"])


def test_values_whose_ratio_overflows_import_and_leave_no_infinite_signal(members, token_for):
    # Finite values, but 1e300 over 1e-300 is beyond a double: detection used to raise OverflowError (or
    # store Infinity, which JSON and jsonb refuse), so the import answered 500 and stored nothing.
    token = token_for(members["jp_secretariat"])
    created = call("post", f"{API}/series", token, {"code": "JP-WILD", "frequency": "monthly"})
    values = ["1e-300"] * 70 + ["1e300"] * 10
    rows = [{"date": d.isoformat(), "value": v} for d, v in zip(months(80), values, strict=True)]
    uid = created.json()["uid"]
    response = call("post", f"{API}/series/{uid}/observations", token, {"observations": rows})
    assert response.status_code == 201, response.content
    assert response.json()["added"] == 80
    signals = call("get", f"{API}/series/{uid}/signals", token)
    assert signals.status_code == 200
    json.loads(signals.content, parse_constant=lambda name: pytest.fail(f"{name} in the signals"))
    assert all(math.isfinite(s.value) and math.isfinite(s.baseline) for s in Signal.objects.all())


def test_every_reason_the_detection_library_gives_is_translated():
    """The library holds no translated text: each template it raises is listed for the catalogue, and
    has a Japanese translation, so no reader meets a reason in English only."""
    import ast
    import inspect

    from django.utils import translation

    from partnership import detection
    from partnership.exchanges.supply_chain import services

    templates = {
        node.args[1].value
        for node in ast.walk(ast.parse(inspect.getsource(detection.detectors)))
        if isinstance(node, ast.Call)
        and getattr(node.func, "id", None) == "DetectorConfigError"
        and len(node.args) > 1
        and isinstance(node.args[1], ast.Constant)
    }
    assert len(templates) >= 10
    assert templates <= set(services.LIBRARY_REASONS), templates - set(services.LIBRARY_REASONS)
    with translation.override("ja"):
        untranslated = [text for text in templates if translation.gettext(text) == text]
    assert not untranslated

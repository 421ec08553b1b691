"""One vocabulary for what the three formats code differently, shipped as data (data/vocabulary.json,
whose `_sources` names where each code list comes from).

Systems: "EU" (the DCC value sets), "CVX" and "SNOMED" (SMART Health Cards), "ICAO-NAM" (the VDS-NC
product name, matched case-insensitively), "ICD11" (the VDS-NC `des`), "LOINC", "ICAO".
"""

from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path
from typing import Any

DATA = Path(__file__).with_name("data") / "vocabulary.json"


@lru_cache(maxsize=1)
def _data() -> dict[str, Any]:
    return json.loads(DATA.read_text(encoding="utf-8"))


@lru_cache(maxsize=16)
def _index(section: str) -> dict[tuple[str, str], str]:
    index: dict[tuple[str, str], str] = {}
    for ident, entry in _data()[section].items():
        for system, codes in entry.get("codes", {}).items():
            for code in codes:
                index.setdefault((system, code.upper() if system == "ICAO-NAM" else code), ident)
    return index


def _lookup(section: str, system: str, code: str | None) -> str | None:
    if code is None:
        return None
    code = str(code).strip()
    return _index(section).get((system, code.upper() if system == "ICAO-NAM" else code))


def product(system: str, code: str | None) -> str | None:
    """Our product id for `code` in `system` (e.g. product("CVX", "208") == "comirnaty"), or None."""
    return _lookup("products", system, code)


def manufacturer(system: str, code: str | None) -> str | None:
    return _lookup("manufacturers", system, code)


def product_manufacturer(product_id: str) -> str:
    return _data()["products"].get(product_id, {}).get("manufacturer", "")


def primary_course_doses(product_id: str) -> int | None:
    """The doses of a full primary course of `product_id` (None when unknown)."""
    return _data()["products"].get(product_id, {}).get("doses")


def disease(system: str, code: str | None) -> str | None:
    return _lookup("diseases", system, code)


def test_type(system: str, code: str | None) -> str | None:
    return _lookup("test_types", system, code)


def test_result(system: str, code: str | None) -> str | None:
    return _lookup("test_results", system, code)


def products() -> dict[str, Any]:
    return _data()["products"]

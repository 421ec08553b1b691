"""Country names for the codes certificates carry, in English or Japanese.

A DCC writes ISO 3166-1 alpha-2 (`co`, the issuer claim), a VDS-NC the alpha-3 codes of ICAO Doc 9303
(`is`, `ctr`, with Doc 9303's own, e.g. `D` for Germany). The names and their Japanese translations are
those of ISO 3166-1 as the iso-codes project publishes them (through pycountry), the short common name
where ISO has one ("South Korea", 韓国), so no country is named by hand here but the two codes ISO 3166-1
reserves outside its list and certificates use: EU and Kosovo's XK.
"""

from __future__ import annotations

import gettext
from functools import lru_cache

import pycountry

from .vdsnc import alpha2_of

# Exceptionally reserved (EU) and user-assigned (XK) codes: no ISO 3166-1 entry, so no iso-codes name.
_OUTSIDE_ISO = {
    "EU": {"en": "European Union", "ja": "欧州連合"},
    "XK": {"en": "Kosovo", "ja": "コソボ"},
}


@lru_cache(maxsize=4)
def _translation(language: str) -> gettext.NullTranslations:
    if language == "en":
        return gettext.NullTranslations()
    return gettext.translation("iso3166-1", pycountry.LOCALES_DIR, languages=[language], fallback=True)


@lru_cache(maxsize=1024)
def name(code: str, language: str = "en") -> str:
    """The name of country `code` (alpha-2, alpha-3 or Doc 9303) in `language` ("en" or "ja"); the code
    itself when it names no country (ICAO's test state UTO, a typo), so nothing is hidden."""
    code = (code or "").strip().upper()
    alpha2 = code if len(code) == 2 else alpha2_of(code)
    if not alpha2:
        return code
    if alpha2 in _OUTSIDE_ISO:
        return _OUTSIDE_ISO[alpha2].get(language, _OUTSIDE_ISO[alpha2]["en"])
    country = pycountry.countries.get(alpha_2=alpha2)
    if country is None:
        return code
    translate = _translation(language).gettext
    common = getattr(country, "common_name", None)
    if common and translate(common) != common:
        return translate(common)
    if common and language == "en":
        return common
    return translate(country.name)

"""Country names as cable maps spell them, to ISO 3166-1 alpha-2 codes (pycountry, with the spellings
TeleGeography and common usage have that ISO's names do not)."""

from functools import lru_cache

import pycountry

# TeleGeography's spellings and common short names that pycountry's exact lookup misses. Never fuzzy
# matching: pycountry's search_fuzzy maps "Sint Maarten" to the Netherlands, a different party.
ALIASES = {
    "brunei": "BN",
    "cape verde": "CV",
    "congo, dem. rep.": "CD",
    "congo, dem. rep": "CD",
    "democratic republic of the congo": "CD",
    "dr congo": "CD",
    "congo, rep.": "CG",
    "congo, rep": "CG",
    "republic of the congo": "CG",
    "micronesia": "FM",
    "russia": "RU",
    "saint martin": "MF",
    "sint maarten": "SX",
    "turkey": "TR",
    "türkiye": "TR",
    "virgin islands (u.k.)": "VG",
    "british virgin islands": "VG",
    "virgin islands (u.s.)": "VI",
    "us virgin islands": "VI",
    "south korea": "KR",
    "korea": "KR",
    "korea, rep.": "KR",
    "korea, south": "KR",
    "north korea": "KP",
    "taiwan": "TW",
    "vietnam": "VN",
    "iran": "IR",
    "syria": "SY",
    "laos": "LA",
    "tanzania": "TZ",
    "bolivia": "BO",
    "venezuela": "VE",
    "moldova": "MD",
    "czech republic": "CZ",
    "macedonia": "MK",
    "ivory coast": "CI",
    "cote d'ivoire": "CI",
    "côte d'ivoire": "CI",
    "swaziland": "SZ",
    "east timor": "TL",
    "timor leste": "TL",
    "burma": "MM",
    "uk": "GB",
    "u.k.": "GB",
    "great britain": "GB",
    "usa": "US",
    "u.s.": "US",
    "united states of america": "US",
    "the bahamas": "BS",
    "bahamas, the": "BS",
    "gambia, the": "GM",
    "the gambia": "GM",
    "palestine": "PS",
    "vatican": "VA",
    "hong kong": "HK",
    "macau": "MO",
    "macao": "MO",
    "curacao": "CW",
    "saint barthelemy": "BL",
    "reunion": "RE",
    "falkland islands": "FK",
    "azores": "PT",
    "madeira": "PT",
    "canary islands": "ES",
}


@lru_cache(maxsize=4096)
def iso_code(name: str) -> str:
    """The ISO 3166-1 alpha-2 code of the country `name`, or "" when neither ISO nor the aliases know it."""
    key = " ".join(name.split()).strip()
    if not key:
        return ""
    alias = ALIASES.get(key.casefold())
    if alias:
        return alias
    try:
        return str(pycountry.countries.lookup(key).alpha_2)
    except LookupError:
        pass
    for country in pycountry.countries:  # common and official names ("Bolivia", "Taiwan")
        for attribute in ("common_name", "official_name"):
            if str(getattr(country, attribute, "")).casefold() == key.casefold():
                return str(country.alpha_2)
    return ""


def country_name(code: str) -> str:
    """ISO's short name of `code` ("" when unknown)."""
    country = pycountry.countries.get(alpha_2=code) if code else None
    return str(getattr(country, "common_name", None) or country.name) if country is not None else ""

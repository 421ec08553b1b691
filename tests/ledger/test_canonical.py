"""RFC 8785 (JCS) canonical JSON against the RFC's own examples.

Sources of the vectors:
- RFC 8785 §3.2.2 (input) and §3.2.4 (the UTF-8 bytes of its canonical form), https://www.rfc-editor.org/rfc/rfc8785
- RFC 8785 §3.2.3, the property sorting example (keys ordered by UTF-16 code units).
- RFC 8785 Appendix B, "Number Serialization Samples" (IEEE-754 bits -> ECMAScript string).
- The RFC's reference test data, github.com/cyberphone/json-canonicalization testdata/{input,output}/
  values.json and weird.json (cited by RFC 8785 Appendix G / section 3.2.4).
"""

import json
import math
import struct

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from partnership.ledger.canonical import CanonicalError, canonical_json

RFC_3_2_2_INPUT = r"""{
  "numbers": [333333333.33333329, 1E30, 4.50, 2e-3, 0.000000000000000000000000001],
  "string": "\u20ac$\u000F\u000aA'\u0042\u0022\u005c\\\"\/",
  "literals": [null, true, false]
}"""

RFC_3_2_4_HEX = (
    "7b 22 6c 69 74 65 72 61 6c 73 22 3a 5b 6e 75 6c 6c 2c 74 72"
    " 75 65 2c 66 61 6c 73 65 5d 2c 22 6e 75 6d 62 65 72 73 22 3a"
    " 5b 33 33 33 33 33 33 33 33 33 2e 33 33 33 33 33 33 33 2c 31"
    " 65 2b 33 30 2c 34 2e 35 2c 30 2e 30 30 32 2c 31 65 2d 32 37"
    " 5d 2c 22 73 74 72 69 6e 67 22 3a 22 e2 82 ac 24 5c 75 30 30"
    " 30 66 5c 6e 41 27 42 5c 22 5c 5c 5c 5c 5c 22 2f 22 7d"
)

RFC_3_2_3_INPUT = r"""{
  "\u20ac": "Euro Sign",
  "\r": "Carriage Return",
  "\ufb33": "Hebrew Letter Dalet With Dagesh",
  "1": "One",
  "\ud83d\ude00": "Emoji: Grinning Face",
  "\u0080": "Control",
  "\u00f6": "Latin Small Letter O With Diaeresis"
}"""
# The RFC lists the values in the order sorting must give.
RFC_3_2_3_ORDER = [
    "Carriage Return",
    "One",
    "Control",
    "Latin Small Letter O With Diaeresis",
    "Euro Sign",
    "Emoji: Grinning Face",
    "Hebrew Letter Dalet With Dagesh",
]

APPENDIX_B = [
    ("0000000000000000", "0"),  # zero
    ("8000000000000000", "0"),  # minus zero
    ("0000000000000001", "5e-324"),  # min pos number
    ("8000000000000001", "-5e-324"),  # min neg number
    ("7fefffffffffffff", "1.7976931348623157e+308"),  # max pos number
    ("ffefffffffffffff", "-1.7976931348623157e+308"),  # max neg number
    ("4340000000000000", "9007199254740992"),  # max pos int
    ("c340000000000000", "-9007199254740992"),  # max neg int
    ("4430000000000000", "295147905179352830000"),  # ~2**68
    ("44b52d02c7e14af5", "9.999999999999997e+22"),
    ("44b52d02c7e14af6", "1e+23"),
    ("44b52d02c7e14af7", "1.0000000000000001e+23"),
    ("444b1ae4d6e2ef4e", "999999999999999700000"),
    ("444b1ae4d6e2ef4f", "999999999999999900000"),
    ("444b1ae4d6e2ef50", "1e+21"),
    ("3eb0c6f7a0b5ed8c", "9.999999999999997e-7"),
    ("3eb0c6f7a0b5ed8d", "0.000001"),
    ("41b3de4355555553", "333333333.3333332"),
    ("41b3de4355555554", "333333333.33333325"),
    ("41b3de4355555555", "333333333.3333333"),
    ("41b3de4355555556", "333333333.3333334"),
    ("41b3de4355555557", "333333333.33333343"),
    ("becbf647612f3696", "-0.0000033333333333333333"),
    ("43143ff3c1cb0959", "1424953923781206.2"),  # round to even
]
APPENDIX_B_NOT_REPRESENTABLE = ["7fffffffffffffff", "7ff0000000000000"]  # NaN, Infinity

# cyberphone/json-canonicalization testdata (the RFC author's reference data)
CYBERPHONE = [
    (
        r"""{
  "numbers": [1E30, 4.50, 333333333.33333329, 2e-3, 0.000000000000000000000000001],
  "escaping": "\u20ac$\u000F\u000aA'\u0042\u0022\u005c\\\"\/",
  "literals": [null, true, false]
}""",
        '{"escaping":"\u20ac$\\u000f\\nA\'B\\"\\\\\\\\\\"/","literals":[null,true,false],'
        '"numbers":[1e+30,4.5,333333333.3333333,0.002,1e-27]}',
    ),
    (
        r"""{
  "\u20ac": "Euro Sign",
  "1": "One",
  "\u0080": "Control\u007f",
  "\ud83d\ude02": "Smiley",
  "\u00f6": "Latin Small Letter O With Diaeresis",
  "\ufb33": "Hebrew Letter Dalet With Dagesh",
  "</script>": "Browser Challenge"
}""",
        '{"1":"One","</script>":"Browser Challenge","\u0080":"Control\u007f",'
        '"\u00f6":"Latin Small Letter O With Diaeresis","\u20ac":"Euro Sign","\U0001f602":"Smiley",'
        '"\ufb33":"Hebrew Letter Dalet With Dagesh"}',
    ),
]


def from_bits(bits: str) -> float:
    return struct.unpack(">d", bytes.fromhex(bits))[0]


def test_rfc_3_2_2_example_gives_the_bytes_of_3_2_4():
    assert canonical_json(json.loads(RFC_3_2_2_INPUT)) == bytes.fromhex(RFC_3_2_4_HEX.replace(" ", ""))


def test_rfc_3_2_3_sorts_keys_by_utf16_code_units():
    out = canonical_json(json.loads(RFC_3_2_3_INPUT))
    assert list(json.loads(out).values()) == RFC_3_2_3_ORDER
    assert out.startswith(b'{"\\r":"Carriage Return","1":"One","\xc2\x80":"Control"')
    # U+1F600 (surrogates D83D DE00) sorts before U+FB33 by UTF-16, though after it by code point.
    assert out.index("\U0001f600".encode()) < out.index("\ufb33".encode())


@pytest.mark.parametrize(("bits", "expected"), APPENDIX_B)
def test_rfc_appendix_b_number_serialisation(bits, expected):
    assert canonical_json(from_bits(bits)) == expected.encode()


@pytest.mark.parametrize(
    ("number", "expected"),
    [
        (1e30, "1e+30"),
        (4.50, "4.5"),
        (2e-3, "0.002"),
        (0.000001, "0.000001"),
        (1e-7, "1e-7"),
        (1e-27, "1e-27"),
    ],
)
def test_rfc_numbers_in_the_text(number, expected):
    assert canonical_json(number) == expected.encode()


@pytest.mark.parametrize(("source", "expected"), CYBERPHONE)
def test_reference_test_data(source, expected):
    assert canonical_json(json.loads(source)) == expected.encode()


@pytest.mark.parametrize("bits", APPENDIX_B_NOT_REPRESENTABLE)
def test_appendix_b_nan_and_infinity_are_refused(bits):
    with pytest.raises(CanonicalError, match="NaN and Infinity"):
        canonical_json({"x": [from_bits(bits)]})


@pytest.mark.parametrize(
    ("value", "reason"),
    [
        ({"ratio": math.nan}, r"\$\.ratio: nan is not a JSON number"),
        ({"a": [1, -math.inf]}, r"\$\.a\[1\]: -inf"),
        ({"n": 2**53}, r"\$\.n: integer 9007199254740992 is outside the IEEE-754 safe range"),
        ({"n": -(2**53)}, "outside the IEEE-754 safe range"),
        ({1: "one"}, "object key 1 is a int"),
        ({"a": {(1, 2): 0}}, r"\$\.a: object key \(1, 2\) is a tuple"),
        ({"s": "\ud800"}, r"\$\.s: the string is not valid Unicode"),
        ({"\udc00": 1}, "lone surrogate"),
        ({"b": b"bytes"}, r"\$\.b: a bytes is not a JSON value"),
        ({"s": {1, 2}}, "a set is not a JSON value"),
    ],
)
def test_values_jcs_cannot_represent_are_refused_with_the_place(value, reason):
    with pytest.raises(CanonicalError, match=reason):
        canonical_json(value)


def test_the_safe_integer_limits_themselves_are_accepted():
    assert canonical_json([2**53 - 1, -(2**53 - 1)]) == b"[9007199254740991,-9007199254740991]"


def test_a_value_containing_itself_is_refused():
    loop: list = []
    loop.append(loop)
    with pytest.raises(CanonicalError, match="contains itself|nested too deeply"):
        canonical_json(loop)


def test_canonical_form_is_stable_and_ignores_insertion_order():
    a = canonical_json({"b": [1, {"y": 2, "x": 1}], "a": "é", "c": None, "d": True})
    b = canonical_json({"d": True, "c": None, "a": "é", "b": [1, {"x": 1, "y": 2}]})
    assert a == b == '{"a":"é","b":[1,{"x":1,"y":2}],"c":null,"d":true}'.encode()
    assert canonical_json(json.loads(a)) == a


@settings(max_examples=400, deadline=None)
@given(
    st.recursive(
        st.none()
        | st.booleans()
        | st.integers(min_value=-(2**53) + 1, max_value=2**53 - 1)
        | st.text(alphabet=st.characters(blacklist_categories=("Cs",))),
        lambda children: (
            st.lists(children, max_size=4)
            | st.dictionaries(
                st.text(alphabet=st.characters(blacklist_categories=("Cs",))), children, max_size=4
            )
        ),
        max_leaves=20,
    )
)
def test_the_fast_writer_gives_the_bytes_of_rfc8785(value):
    """canonical_json writes float-free values with Python's json module: always rfc8785's bytes, also
    for keys beyond U+FFFF (where it hands over to rfc8785) and control characters."""
    import rfc8785

    assert canonical_json(value) == rfc8785.dumps(value)

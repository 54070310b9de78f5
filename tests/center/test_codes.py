"""Short codes read aloud: any way a person types a code parses back to it, and a single changed
character or two swapped neighbours is caught by the check character."""

from __future__ import annotations

import unicodedata

import pytest
from hypothesis import given
from hypothesis import strategies as st

from center.lib import codes

payloads = st.text(alphabet=codes.ALPHABET, min_size=codes.PAYLOAD, max_size=codes.PAYLOAD)
valid_codes = payloads.map(lambda payload: codes.display(payload + codes.check_character(payload)))
FULL_WIDTH = {chr(c): chr(c + 0xFEE0) for c in range(0x21, 0x7F)}


def full_width(text: str) -> str:
    return "".join(FULL_WIDTH.get(ch, ch) for ch in text)


@st.composite
def typed_forms(draw: st.DrawFn, code: str) -> str:
    """The code as someone might type it: hyphens or spaces anywhere, full-width, any case."""
    pieces = []
    for char in code.replace("-", ""):
        char = char.lower() if draw(st.booleans()) else char
        char = full_width(char) if draw(st.booleans()) else char
        pieces.append(char + draw(st.sampled_from(["", "", "-", " ", "　", "－", "ー"])))
    return draw(st.sampled_from(["", " ", "　"])) + "".join(pieces)


def test_a_new_code_is_eight_readable_characters_shown_in_two_groups():
    code = codes.new_code()
    assert len(code) == 9 and code[4] == "-"
    assert set(code.replace("-", "")) <= set(codes.ALPHABET)
    assert not set("01OIL") & set(codes.ALPHABET)


@given(valid_codes, st.data())
def test_any_typed_form_of_a_code_parses_back_to_the_code(code, data):
    typed = data.draw(typed_forms(code))
    assert codes.parse(typed) == code


@given(valid_codes, st.integers(min_value=0, max_value=codes.LENGTH - 1), st.data())
def test_a_single_changed_character_is_caught_as_a_typo(code, position, data):
    compact = code.replace("-", "")
    replacement = data.draw(st.sampled_from([c for c in codes.ALPHABET if c != compact[position]]))
    changed = compact[:position] + replacement + compact[position + 1 :]
    with pytest.raises(codes.CodeInvalid) as refused:
        codes.parse(changed)
    assert refused.value.message == codes.MSG_TYPO


@given(valid_codes, st.integers(min_value=0, max_value=codes.LENGTH - 2))
def test_two_swapped_neighbours_are_caught_as_a_typo(code, position):
    compact = code.replace("-", "")
    swapped = compact[:position] + compact[position + 1] + compact[position] + compact[position + 2 :]
    if swapped != compact:
        with pytest.raises(codes.CodeInvalid):
            codes.parse(swapped)


@pytest.mark.parametrize(
    "typed", ["", "ABCD-234", "ABCD-234JK", "ABCD-O34J", "ABCD-134J", "ＡＢＣＤ＠２３４Ｊ"]
)
def test_a_code_of_the_wrong_shape_says_what_a_code_looks_like(typed):
    with pytest.raises(codes.CodeInvalid) as refused:
        codes.parse(typed)
    assert refused.value.message == codes.MSG_SHAPE


def test_full_width_input_is_read_as_half_width():
    assert codes.parse(unicodedata.normalize("NFC", "ａｂｃｄ　２３４ｊ")) == "ABCD-234J"

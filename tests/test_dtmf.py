"""Tests for agent.dtmf: RFC 4733 codes, dial-string parsing and rendering."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from agent.dtmf import (
    DTMF_KEYS,
    Dialect,
    Pause,
    Tone,
    key_for_event_code,
    parse_dtmf,
    parse_keys,
    render_dtmf,
    rfc4733_event_code,
    tones_only,
)

# RFC 4733 §3.2 table, written out by hand rather than derived from DTMF_KEYS
# so a reordering of DTMF_KEYS is caught.
RFC4733_TABLE = {
    "0": 0, "1": 1, "2": 2, "3": 3, "4": 4, "5": 5, "6": 6, "7": 7, "8": 8, "9": 9,
    "*": 10, "#": 11, "A": 12, "B": 13, "C": 14, "D": 15,
}  # fmt: skip

STANDARD_ALLOWED = "0-9 * # A-D, w = 0.5 s pause, W = 1 s pause"
VICIDIAL_ALLOWED = "0-9, P = #, S = *, Q = 1 s pause"

# Everything each dialect can represent, for the property tests.
REPRESENTABLE = {
    Dialect.STANDARD: [Tone(k) for k in DTMF_KEYS] + [Pause(0.5), Pause(1.0)],
    Dialect.VICIDIAL: [Tone(k) for k in "0123456789*#"] + [Pause(1.0)],
}
ALPHABET = {
    Dialect.STANDARD: "0123456789*#ABCDwW",
    Dialect.VICIDIAL: "0123456789PSQ",
}


# ---------------------------------------------------------------- RFC 4733


@pytest.mark.parametrize(("key", "code"), RFC4733_TABLE.items())
def test_event_code_matches_rfc4733_table_so_livekit_sends_the_right_tone(key, code):
    assert rfc4733_event_code(key) == code


@pytest.mark.parametrize(("key", "code"), RFC4733_TABLE.items())
def test_key_for_event_code_inverts_table_so_received_dtmf_decodes(key, code):
    assert key_for_event_code(code) == key


def test_dtmf_keys_lists_all_16_keys_in_event_code_order():
    assert len(DTMF_KEYS) == 16
    assert list(DTMF_KEYS) == list(RFC4733_TABLE)


def test_livekit_example_pound_is_code_11():
    # The LiveKit docs publish '#' with code=11.
    assert rfc4733_event_code("#") == 11


@pytest.mark.parametrize("key", ["", "12", "x", "a", "w", "P", " ", "##"])
def test_event_code_rejects_non_keys_including_multi_char_substrings(key):
    # "12" is a substring of DTMF_KEYS: a naive `in` check would accept it.
    with pytest.raises(ValueError, match=r"allowed: 0-9 \* # A-D"):
        rfc4733_event_code(key)


@pytest.mark.parametrize("code", [-1, 16, 255, True, 1.0, "1"])
def test_key_for_event_code_rejects_out_of_range_and_non_int_codes(code):
    with pytest.raises(ValueError, match="0-15"):
        key_for_event_code(code)


# ---------------------------------------------------------------- items


@pytest.mark.parametrize("key", ["", "12", "a", "x", "P"])
def test_tone_rejects_anything_but_one_dtmf_key(key):
    with pytest.raises(ValueError):
        Tone(key)


@pytest.mark.parametrize("seconds", [0, 0.0, -1, float("nan"), float("inf")])
def test_pause_rejects_non_positive_or_non_finite_seconds(seconds):
    with pytest.raises(ValueError):
        Pause(seconds)


@pytest.mark.parametrize("seconds", [True, "1", None])
def test_pause_rejects_non_numbers(seconds):
    with pytest.raises(TypeError):
        Pause(seconds)


def test_items_are_frozen_so_a_parsed_sequence_cannot_be_mutated():
    with pytest.raises(AttributeError):
        Tone("1").key = "2"  # type: ignore[misc]


# ---------------------------------------------------------------- parsing


def test_parse_vicidial_reference_example_maps_q_p_s_to_pauses_pound_star():
    # The example from VICIdial's send_dtmf documentation.
    items = parse_dtmf("QQQQ1234SQQQQQ6654P", Dialect.VICIDIAL)
    assert items == (
        [Pause(1.0)] * 4
        + [Tone("1"), Tone("2"), Tone("3"), Tone("4"), Tone("*")]
        + [Pause(1.0)] * 5
        + [Tone("6"), Tone("6"), Tone("5"), Tone("4"), Tone("#")]
    )
    assert tones_only(items) == "1234*6654#"


def test_parse_twilio_style_lowercase_w_is_half_second_uppercase_w_is_one_second():
    assert parse_dtmf("1234w#W5") == [
        Tone("1"), Tone("2"), Tone("3"), Tone("4"),
        Pause(0.5), Tone("#"), Pause(1.0), Tone("5"),
    ]  # fmt: skip


def test_parse_repeated_pause_chars_are_separate_items_not_merged():
    assert parse_dtmf("ww") == [Pause(0.5), Pause(0.5)]


def test_parse_empty_string_is_empty_list():
    assert parse_dtmf("") == []
    assert parse_dtmf("", Dialect.VICIDIAL) == []


def test_parse_accepts_dialect_value_string_from_config():
    assert parse_dtmf("P", "vicidial") == [Tone("#")]


@pytest.mark.parametrize("bad", [None, 1234, b"1234", ["1"]])
def test_parse_non_str_raises_type_error_not_garbage(bad):
    with pytest.raises(TypeError):
        parse_dtmf(bad)


def test_parse_invalid_char_error_names_char_position_dialect_and_allowed_set():
    with pytest.raises(ValueError) as excinfo:
        parse_dtmf("12x4")
    assert str(excinfo.value) == (
        "invalid DTMF character 'x' at position 3 of '12x4' "
        f"(dialect standard; allowed: {STANDARD_ALLOWED})"
    )


def test_parse_vicidial_q_is_invalid_in_standard_dialect():
    with pytest.raises(ValueError) as excinfo:
        parse_dtmf("1Q")
    assert str(excinfo.value) == (
        "invalid DTMF character 'Q' at position 2 of '1Q' "
        f"(dialect standard; allowed: {STANDARD_ALLOWED})"
    )


def test_parse_literal_pound_is_invalid_in_vicidial_because_it_breaks_the_url():
    with pytest.raises(ValueError) as excinfo:
        parse_dtmf("123#", Dialect.VICIDIAL)
    assert str(excinfo.value) == (
        "invalid DTMF character '#' at position 4 of '123#' "
        f"(dialect vicidial; allowed: {VICIDIAL_ALLOWED})"
    )


@pytest.mark.parametrize("char", ["*", "A", "a", "w", "W", "p", "q"])
def test_parse_vicidial_rejects_standard_only_and_lowercase_chars(char):
    with pytest.raises(ValueError, match="dialect vicidial"):
        parse_dtmf(char, Dialect.VICIDIAL)


def test_parse_unknown_dialect_raises_value_error():
    with pytest.raises(ValueError):
        parse_dtmf("1", "asterisk")


# ---------------------------------------------------------------- rendering


def test_render_twilio_example():
    items = parse_dtmf("1234w#W5")
    assert render_dtmf(items) == "1234w#W5"


def test_render_vicidial_encodes_pound_star_pause_as_p_s_q():
    items = [Pause(1.0), Tone("#"), Tone("*"), Tone("0")]
    assert render_dtmf(items, Dialect.VICIDIAL) == "QPS0"


def test_render_int_second_pause_is_accepted():
    assert render_dtmf([Pause(1)], Dialect.VICIDIAL) == "Q"


def test_render_letter_keys_in_vicidial_fail_loudly_instead_of_being_dropped():
    with pytest.raises(ValueError) as excinfo:
        render_dtmf([Tone("1"), Tone("A")], Dialect.VICIDIAL)
    assert str(excinfo.value) == (
        f"cannot render Tone(key='A') at index 1 in dialect vicidial (allowed: {VICIDIAL_ALLOWED})"
    )


def test_render_unrepresentable_pause_fails_instead_of_rounding():
    with pytest.raises(ValueError) as excinfo:
        render_dtmf([Tone("1"), Pause(0.7)])
    assert str(excinfo.value) == (
        "cannot render Pause(duration_s=0.7) at index 1 in dialect standard "
        f"(allowed: {STANDARD_ALLOWED})"
    )


def test_render_half_second_pause_is_not_representable_in_vicidial():
    with pytest.raises(ValueError, match=r"Pause\(duration_s=0.5\) at index 0"):
        render_dtmf([Pause(0.5)], Dialect.VICIDIAL)


def test_render_long_pause_is_not_silently_split():
    with pytest.raises(ValueError, match="index 0"):
        render_dtmf([Pause(2.0)])


def test_render_rejects_raw_strings_in_item_list():
    with pytest.raises(TypeError, match="index 0"):
        render_dtmf(["1"])  # type: ignore[list-item]


# ---------------------------------------------------------------- helpers


def test_tones_only_drops_pauses():
    assert tones_only(parse_dtmf("QQ1234QP", Dialect.VICIDIAL)) == "1234#"
    assert tones_only([]) == ""


def test_parse_keys_upper_cases_letters_and_keeps_everything_else():
    assert parse_keys("12ab#*CD") == "12AB#*CD"
    assert parse_keys("") == ""


def test_parse_keys_rejects_pause_chars_with_exact_message():
    with pytest.raises(ValueError) as excinfo:
        parse_keys("1w2")
    assert (
        str(excinfo.value) == "invalid DTMF key 'w' at position 2 of '1w2' (allowed: 0-9 * # A-D)"
    )


def test_parse_keys_non_str_raises_type_error():
    with pytest.raises(TypeError):
        parse_keys(1234)  # type: ignore[arg-type]


# ---------------------------------------------------------------- properties


@pytest.mark.parametrize("dialect", list(Dialect))
@given(data=st.data())
def test_parse_inverts_render_for_any_representable_items(dialect, data):
    # Guards against lossy rendering (e.g. a pause or key mapped to the wrong char).
    items = data.draw(st.lists(st.sampled_from(REPRESENTABLE[dialect])))
    assert parse_dtmf(render_dtmf(items, dialect), dialect) == items


@pytest.mark.parametrize("dialect", list(Dialect))
@given(data=st.data())
def test_render_inverts_parse_for_any_dial_string(dialect, data):
    # Guards against parse merging or normalising characters it should keep.
    text = data.draw(st.text(alphabet=ALPHABET[dialect]))
    assert render_dtmf(parse_dtmf(text, dialect), dialect) == text


@given(text=st.text(alphabet=ALPHABET[Dialect.STANDARD]))
def test_lowercase_letter_keys_parse_like_uppercase_but_w_case_still_matters(text):
    # Only a-d are case-folded: lower-casing 'W' would turn 1 s into 0.5 s.
    lowered = text.translate(str.maketrans("ABCD", "abcd"))
    assert parse_dtmf(lowered) == parse_dtmf(text)


@given(text=st.text(alphabet="0123456789*#ABCDabcd"))
def test_parse_keys_agrees_with_parse_dtmf_on_plain_keys(text):
    assert parse_keys(text) == tones_only(parse_dtmf(text))


@given(key=st.sampled_from(DTMF_KEYS))
def test_event_code_round_trips_for_every_key(key):
    assert key_for_event_code(rfc4733_event_code(key)) == key

"""Tests for agent.spoken_digits.spoken_to_keys."""

from __future__ import annotations

import pytest

from agent.dtmf import spoken_to_keys

CASES = [
    # (what the caller said, keys expected)
    ("four four two one", "4421"),
    ("oh one", "01"),
    ("zero nought o", "000"),
    ("double five", "55"),
    ("triple seven", "777"),
    ("double oh seven", "007"),
    ("double 5", "55"),
    ("one two three four pound", "1234#"),
    ("one two pound key", "12#"),
    ("hash key", "#"),
    ("number sign", "#"),
    ("star", "*"),
    ("asterisk", "*"),
    ("my PIN is 4421", "4421"),
    ("My Pin Is Four Four Two One", "4421"),
    ("four followed by the pound key", "4#"),
    ("ten", "10"),
    ("twelve", "12"),
    ("nineteen", "19"),
    ("twenty", "20"),
    ("twenty one", "21"),
    ("twenty-one", "21"),
    ("five hundred", "500"),
    ("five hundred twelve", "512"),
    ("five hundred and one", "501"),
    ("hello there", ""),
    ("", ""),
    ("1 2 three four", "1234"),
    ("44 21", "4421"),
    ("4-4-2-1", "4421"),
    ("1234#", "1234#"),
]


@pytest.mark.parametrize(("spoken", "keys"), CASES)
def test_spoken_to_keys(spoken, keys):
    assert spoken_to_keys(spoken) == keys


def test_dangling_double_is_ignored_not_applied_to_a_later_digit():
    assert spoken_to_keys("double please, one") == "1"


def test_non_str_raises_type_error():
    with pytest.raises(TypeError):
        spoken_to_keys(4421)  # type: ignore[arg-type]

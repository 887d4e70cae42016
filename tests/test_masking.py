from agent.call.masking import Masker


def test_secret_is_masked_written_spaced_and_spoken():
    mask = Masker(["2468"])
    assert mask("my PIN is 2468.") == "my PIN is ****."
    assert mask("2 4 6 8") == "****"
    assert mask("two four six eight") == "****"


def test_zero_spoken_as_oh_is_masked():
    assert Masker(["1050"])("one oh five zero") == "****"


def test_digits_inside_longer_numbers_are_left_alone():
    # a balance of $12,468.00 must not be mangled by the PIN 2468
    assert Masker(["2468"])("$12,468.00 and 124689") == "$12,468.00 and 124689"


def test_short_values_are_not_masked_so_menu_keys_stay_readable():
    assert Masker(["1"])("press 1") == "press 1"

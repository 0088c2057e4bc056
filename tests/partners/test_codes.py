"""Partner codes as strings: 20 symbols without look-alikes, forgiving input, masked display."""

import secrets

import pytest

from partners.codes import (
    ALPHABET,
    CODE_LENGTH,
    MalformedCode,
    generate_code,
    mask_code,
    normalize_code,
)

CODE = "ERVABCDEFGHJKMNPQLZ2"


def test_alphabet_is_32_symbols_without_look_alikes():
    assert len(ALPHABET) == len(set(ALPHABET)) == 32
    assert set(ALPHABET) <= set("ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789")
    assert not set("IO01") & set(ALPHABET)


def test_generated_code_is_twenty_symbols_from_the_alphabet():
    codes = [generate_code() for _ in range(200)]

    assert all(len(code) == CODE_LENGTH == 20 for code in codes)
    assert set("".join(codes)) <= set(ALPHABET)


def test_generated_codes_do_not_repeat():
    assert len({generate_code() for _ in range(1000)}) == 1000


def test_generated_code_draws_every_symbol_from_secrets(monkeypatch):
    drawn = []

    def choice(symbols):
        drawn.append(symbols)
        return symbols[-1]

    monkeypatch.setattr(secrets, "choice", choice)

    assert generate_code() == "9" * 20
    assert drawn == [ALPHABET] * 20


@pytest.mark.parametrize(
    "typed",
    [
        "ERVABCDEFGHJKMNPQLZ2",
        "ervabcdefghjkmnpqlz2",
        "ErvAbcdEfghJkmnPqlZ2",
        "ERVA-BCDE-FGHJ-KMNP-QLZ2",
        " ERVA BCDE FGHJ KMNP QLZ2 ",
        "erva\u3000bcde\u3000fghj\u3000kmnp\u3000qlz2",
        "ERVA\u2010BCDE\u2212FGHJ\uff0dKMNP-QLZ2",
    ],
    ids=[
        "as-issued",
        "lowercase",
        "mixed-case",
        "hyphens",
        "spaces",
        "ideographic-space",
        "dashes",
    ],
)
def test_normalize_code_accepts_what_people_paste(typed):
    assert normalize_code(typed) == CODE


@pytest.mark.parametrize(
    "typed",
    [
        "",
        "ERVABCDEFGHJKMNPQLZ",  # 19
        "ERVABCDEFGHJKMNPQLZ22",  # 21
        "IRVABCDEFGHJKMNPQLZ2",  # I
        "ORVABCDEFGHJKMNPQLZ2",  # O
        "0RVABCDEFGHJKMNPQLZ2",  # zero
        "1RVABCDEFGHJKMNPQLZ2",  # one
        "ERVABCDEFGHJKMNPQLZ_",
        "ERVABCDEFGHJKMNPQLZ!",
        "ERVABCDEFGHJKMNPQLZ.",
        "ERVABCDEFGHJKMNPQLZÉ",
    ],
    ids=[
        "empty",
        "too-short",
        "too-long",
        "letter-I",
        "letter-O",
        "digit-0",
        "digit-1",
        "underscore",
        "exclamation",
        "dot",
        "accented",
    ],
)
def test_normalize_code_rejects_anything_that_cannot_be_a_code(typed):
    with pytest.raises(MalformedCode):
        normalize_code(typed)


def test_mask_code_shows_first_three_and_last_four_as_in_the_seed():
    assert mask_code("ERVXXXXXXXXXXXXXPQLZ") == "ERV…PQLZ"

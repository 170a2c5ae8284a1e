"""Vietnamese alphabetical order (a real collation, not code-point order).

The alphabet is a ă â b c d đ e ê g h i k l m n o ô ơ p q r s t u ư v x y (with f j w z
for foreign words): ``Ă`` and ``Â`` come after ``A`` and before ``B``, ``Đ`` after ``D``.
Tone marks are secondary: words that differ only by tone are ordered ngang, huyền, hỏi,
ngã, sắc, nặng, the dictionaries' order; case is tertiary. Code-point order puts ``Đ``
(U+0110) after ``Z`` and ``Ă`` after every plain letter, which is why this exists.
"""

from __future__ import annotations

import re
import unicodedata

ALPHABET = "a ă â b c d đ e ê f g h i j k l m n o ô ơ p q r s t u ư v w x y z".split()  # noqa: SIM905
_RANK = {letter: rank for rank, letter in enumerate(ALPHABET)}
#: Combining tone marks, in the dictionaries' order (ngang = none comes first).
_TONES = {"\u0300": 1, "\u0309": 2, "\u0303": 3, "\u0301": 4, "\u0323": 5}
#: Marks that make a letter of their own (ă â ê ô ơ ư) rather than a tone.
_LETTER_MARKS = {"\u0306", "\u0302", "\u031b"}

Key = tuple[tuple[tuple[int, int], ...], tuple[int, ...], tuple[int, ...]]


def _letters(text: str) -> list[tuple[str, int, bool]]:
    """(base letter with its letter marks, tone, was upper) for each character."""
    out: list[tuple[str, int, bool]] = []
    for char in unicodedata.normalize("NFD", text):
        if char in _TONES and out:
            base, _, upper = out[-1]
            out[-1] = (base, _TONES[char], upper)
        elif char in _LETTER_MARKS and out:
            base, tone, upper = out[-1]
            out[-1] = (unicodedata.normalize("NFC", base + char), tone, upper)
        elif unicodedata.combining(char) and out:
            continue  # another accent (foreign text): ignored for ordering
        else:
            out.append((char.lower(), 0, char != char.lower()))
    return out


def _primary(char: str) -> tuple[int, int]:
    if char in _RANK:
        return (3, _RANK[char])
    if char.isspace() or not char.isalnum():
        return (0, 0) if char.isspace() else (1, ord(char))
    if char.isdigit():
        return (2, ord(char))
    return (4, ord(char))


def sort_key(text: str) -> Key:
    """A key that orders strings as a Vietnamese reader expects."""
    letters = _letters(text.strip())
    return (
        tuple(_primary(base) for base, _, _ in letters),
        tuple(tone for _, tone, _ in letters),
        tuple(int(upper) for _, _, upper in letters),
    )


_DIGITS = re.compile(r"\d+")


def name_key(text: str) -> Key:
    """:func:`sort_key` with numbers in their natural order (Tổ số 2 before Tổ số 10): the
    order of names in every picker."""
    return sort_key(_DIGITS.sub(lambda found: found.group().zfill(12), text))


def sorted_vi(items: list[str]) -> list[str]:
    return sorted(items, key=sort_key)

"""Vietnamese order: the letters of the Vietnamese alphabet, tones second, case third."""

from __future__ import annotations

from models.documents.collation import sort_key, sorted_vi


def test_d_stroke_comes_after_d_and_before_e() -> None:
    """Đ sorts after every D word and before E (code-point order puts it after Z)."""
    names = ["Đông Hồ", "Ý Tý", "Duyên Hải", "Em", "Dương"]
    assert sorted_vi(names) == ["Duyên Hải", "Dương", "Đông Hồ", "Em", "Ý Tý"]
    assert sorted(names) != sorted_vi(names)


def test_a_breve_and_circumflex_follow_a() -> None:
    """A < Ă < Â < B, whatever the code points say."""
    assert sorted_vi(["Bắc Hà", "Âu Lâu", "Ăng Tơ", "An Lạc", "Bản Vược"]) == [
        "An Lạc",
        "Ăng Tơ",
        "Âu Lâu",
        "Bản Vược",
        "Bắc Hà",
    ]


def test_tones_are_secondary_in_dictionary_order() -> None:
    """Same letters: ngang, huyền, hỏi, ngã, sắc, nặng; a letter difference outranks any tone."""
    assert sorted_vi(["bạ", "bá", "bã", "bả", "bà", "ba"]) == ["ba", "bà", "bả", "bã", "bá", "bạ"]
    assert sort_key("bà z") < sort_key("ba zz")


def test_order_is_the_same_in_nfd() -> None:
    """Decomposed text sorts as its composed form."""
    import unicodedata

    word = "Đồng Tuyển"
    assert sort_key(unicodedata.normalize("NFD", word)) == sort_key(word)

"""Favourites in a link: base-36 ids joined by dots, read forgivingly (issue 19)."""

from __future__ import annotations

import pytest

from exhibit.maps.favourites import MAX_LINK_CHARS, MAX_SHARED, SharedList, decode, encode


def test_round_trip():
    ids = [0, 7, 35, 36, 97, 1296, 123456]
    assert encode(ids) == "0.7.z.10.2p.100.2n9c"
    assert decode(encode(ids)) == SharedList(tuple(ids), 0, 0)


def test_garbage_duplicates_and_case():
    got = decode("2P..2p.<script>.-1.zzzzzzzz.x y.10")
    assert got.ids == (97, 36)
    assert got.unreadable == 4  # <script>, -1, an 8-character part, "x y"
    assert got.dropped == 0


def test_too_many_entries_keep_the_first_and_count_the_rest():
    link = encode(list(range(1, 10_001)))
    got = decode(link)
    assert got.ids == tuple(range(1, MAX_SHARED + 1))
    read = link[:MAX_LINK_CHARS].split(".")
    # Every entry past the limit is counted: those read past MAX_SHARED and those cut off.
    assert got.dropped == 10_000 - MAX_SHARED
    assert len(read) < 10_000


@pytest.mark.parametrize("shift", range(4))
def test_a_cut_anywhere_counts_every_entry_left_out(shift):
    link = "." * shift + encode([36**3 + i for i in range(1000)])  # four digits each
    got = decode(link)
    assert len(got.ids) + got.dropped == 1000


def test_empty_and_negative():
    assert decode("") == SharedList((), 0, 0)
    with pytest.raises(ValueError, match="-3"):
        encode([-3])

"""Favourites shared by a link (issue 19): the list is in the link, nothing on the server.

A list of solution ids is written as base-36 numbers joined by dots (``?f=2p.3a.4b``): short
enough for a QR code of a few dozen favourites. Reading a link is forgiving, because links
get cut, typed and tampered with: what reads as an id is kept (each once, in order, at most
:data:`MAX_SHARED`), and the rest is counted so that the page can say what was left out.

Pure: the standard library only.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

#: The most favourites a link carries (the visit plan routes through 20 booths; a list may
#: hold several solutions per booth).
MAX_SHARED = 60
#: Longer links are read only this far (a 10,000-entry link costs nothing to refuse).
MAX_LINK_CHARS = 2000
_ID = re.compile(r"^[0-9a-z]{1,7}$")
_DIGITS = "0123456789abcdefghijklmnopqrstuvwxyz"


def encode(ids: list[int]) -> str:
    """``[97, 1296]`` → ``"2p.100"``."""
    parts = []
    for number in ids:
        if number < 0:
            raise ValueError(f"a solution id is never negative: {number}")
        text = ""
        while True:
            number, digit = divmod(number, 36)
            text = _DIGITS[digit] + text
            if number == 0:
                break
        parts.append(text)
    return ".".join(parts)


@dataclass(frozen=True)
class SharedList:
    ids: tuple[int, ...]
    #: Parts that are not ids (garbage), and ids beyond :data:`MAX_SHARED` or the link's length.
    unreadable: int
    dropped: int


def decode(text: str) -> SharedList:
    """The ids a shared link carries, and how many of its parts were left out and why."""
    head, tail = text[:MAX_LINK_CHARS], text[MAX_LINK_CHARS:]
    if tail:  # a part cut in the middle goes with the rest, which is counted, not read
        last = head.rfind(".") + 1
        head, tail = head[:last], head[last:] + tail
    parts = [p for p in head.strip().lower().split(".") if p]
    ids: list[int] = []
    seen: set[int] = set()
    unreadable = 0
    dropped = sum(1 for p in tail.split(".") if p)
    for part in parts:
        if not _ID.match(part):
            unreadable += 1
            continue
        number = int(part, 36)
        if number in seen:
            continue
        if len(ids) >= MAX_SHARED:
            dropped += 1
            continue
        seen.add(number)
        ids.append(number)
    return SharedList(tuple(ids), unreadable, dropped)

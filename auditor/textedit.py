"""Edit a text while keeping positions of spans in it (links, headings, markers).

Cleaning inserts spaces and paragraph breaks and deletes furniture; anything positioned in
the text before an edit must be moved to where it stands after it.
"""

from __future__ import annotations

import bisect
from collections.abc import Iterable
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Edit:
    start: int
    end: int  # exclusive; start == end is an insertion
    replacement: str


class OffsetMap:
    """Maps offsets of the text before a set of edits to offsets after them."""

    def __init__(self, edits: list[Edit]) -> None:
        self._starts = [e.start for e in edits]
        self._edits = edits
        shifts: list[int] = []
        total = 0
        for e in edits:
            total += len(e.replacement) - (e.end - e.start)
            shifts.append(total)
        self._shifts = shifts

    def __call__(self, offset: int, *, is_end: bool = False) -> int | None:
        """New position of ``offset``; None when it fell inside deleted text."""
        i = bisect.bisect_right(self._starts, offset) - 1
        if i < 0:
            return offset
        e = self._edits[i]
        before = self._shifts[i - 1] if i > 0 else 0
        if e.start == e.end:  # an insertion: a span ending here stays before it
            return offset + (before if (is_end and offset == e.start) else self._shifts[i])
        if offset >= e.end:
            return offset + self._shifts[i]
        if offset == e.start:
            return e.start + before
        return None  # strictly inside deleted or replaced text

    def span(self, start: int, end: int) -> tuple[int, int] | None:
        """New (start, end) of a span; None when any part of it was deleted."""
        new_start = self(start)
        new_end = self(end, is_end=True)
        if new_start is None or new_end is None or new_end < new_start:
            return None
        if new_end == new_start and end > start:
            return None  # the whole span was deleted
        return new_start, new_end


def apply_edits(text: str, edits: Iterable[Edit]) -> tuple[str, OffsetMap]:
    """Apply non-overlapping edits; return the new text and the offset map."""
    ordered = sorted(edits, key=lambda e: (e.start, e.end))
    kept: list[Edit] = []
    last_end = -1
    for e in ordered:
        if e.start < last_end:
            continue  # overlapping edit: the earlier one wins
        kept.append(e)
        last_end = max(last_end, e.end)
    parts: list[str] = []
    pos = 0
    for e in kept:
        parts.append(text[pos : e.start])
        parts.append(e.replacement)
        pos = e.end
    parts.append(text[pos:])
    return "".join(parts), OffsetMap(kept)

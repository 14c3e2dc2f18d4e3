"""The one-line filter of a list (`/`): every word typed must appear, in any case, in what a row
is about for the row to stay listed. The record screens and the stage screen's modules use it."""

from __future__ import annotations

from collections.abc import Sequence

from textual.widgets import Input


def filter_words(text: str) -> list[str]:
    """The words a filter asks for, lower-cased; none for a blank filter."""
    return text.lower().split()


def holds_every(haystack: str, words: Sequence[str]) -> bool:
    """Whether the lower-cased `haystack` holds every one of `words` (all, for no words)."""
    return all(word in haystack for word in words)


class FilterField(Input):
    """A compact input whose placeholder names the key and what is searched."""

    def __init__(self, what: str, *, id: str | None = None) -> None:
        super().__init__(id=id, placeholder=f"/ filter: {what}", compact=True)

    @property
    def words(self) -> list[str]:
        """The typed words, lower-cased: each must appear in a row for it to be listed."""
        return filter_words(self.value)

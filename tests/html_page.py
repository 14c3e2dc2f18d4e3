"""Rendered HTML as the report tests read it: its tags, links, table rows and text."""

from __future__ import annotations

from html.parser import HTMLParser

from markdown_it import MarkdownIt


class Page(HTMLParser):
    """Tags, links, table rows (a `<br>` in a cell as a line break) and text of rendered HTML."""

    def __init__(self, text: str) -> None:
        super().__init__()
        self.tags: list[str] = []
        self.hrefs: list[str] = []
        self.rows: list[list[str]] = []
        self.text: list[str] = []
        self._cell: list[str] | None = None
        self.feed(text)
        self.close()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        self.hrefs += [value or "" for name, value in attrs if name in ("href", "src")]
        if tag == "tr":
            self.rows.append([])
        if tag in ("td", "th"):
            self._cell = []
        if tag == "br" and self._cell is not None:
            self._cell.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in ("td", "th") and self._cell is not None:
            self.rows[-1].append("".join(self._cell))
            self._cell = None

    def handle_data(self, data: str) -> None:
        self.text.append(data)
        if self._cell is not None:
            self._cell.append(data)

    @property
    def shown(self) -> str:
        """The page's text, spaces collapsed."""
        return " ".join("".join(self.text).split())

    @property
    def cells(self) -> list[str]:
        """Every table cell, row after row."""
        return [cell for row in self.rows for cell in row]

    def row(self, first: str) -> list[str]:
        """The one row whose first cell is `first`."""
        (found,) = [r for r in self.rows if r and r[0] == first]
        return found

    def row_starting(self, prefix: str) -> list[str]:
        """The one row whose first cell starts with `prefix`."""
        (found,) = [r for r in self.rows if r and r[0].startswith(prefix)]
        return found


def markdown_page(text: str) -> Page:
    """Markdown as GitHub renders its tables (CommonMark with tables)."""
    return Page(MarkdownIt("commonmark").enable("table").render(text))

"""`mlpl-tui search WORDS... [--json] [--limit N]`: every record and history event holding all
the words (mlpl_tui.search), for people or, with `--json`, for tools.

Exit status 0 whether or not anything matched ("no match" is an answer, not a refusal: exit 1
means refused by the rules, as for `validate`); scripts read the count from `--json`'s `total`.
No words at all is bad usage (exit 2).
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from mlpl_tui.errors import UsageError
from mlpl_tui.sanitize import json_text
from mlpl_tui.wording import one_line, plural, shown_time

if TYPE_CHECKING:
    from mlpl_tui.cli import Session
    from mlpl_tui.search import Hit, Hits

DEFAULT_LIMIT = 50  # hits printed; the total is always said


def add_parser(command: Callable[[str, str], argparse.ArgumentParser]) -> None:
    """The `search` command's arguments (`command` makes a subcommand parser, as in cli.py)."""
    p = command("search", "find words in every note, reason, decision, experiment and the history")
    p.add_argument("words", nargs="*", metavar="WORD", help="every word must appear (any case)")
    p.add_argument("--json", action="store_true", help="machine-readable output")
    p.add_argument(
        "--limit",
        type=int,
        default=DEFAULT_LIMIT,
        help=f"the most matches listed (default {DEFAULT_LIMIT}); the total is always given",
    )


def cmd_search(session: Session) -> int:
    from mlpl_tui.search import search, search_words

    args = session.args
    words = search_words(args.words)
    if not words:
        raise UsageError("search needs a word to look for: mlpl-tui search WORD [WORD ...]")
    if args.limit < 1:
        raise UsageError(f"--limit {args.limit}: list at least one match")
    hits = search(session.load(), session.framework, words, limit=args.limit)
    if args.json:
        print(json_text(as_json(hits), indent=2))
        return 0
    quoted = "“" + " ".join(words) + "”"
    if not hits.total:
        print(f"no match for {quoted}", file=sys.stderr)
        return 0
    for hit in hits:
        print(hit_lines(hit))
    found = plural(hits.total, "match", "matches")
    if hits.complete:
        print(f"{found} for {quoted}", file=sys.stderr)
    else:
        print(
            f"{found} for {quoted}; the first {len(hits)} listed (add words, or --limit N)",
            file=sys.stderr,
        )
    return 0


def hit_lines(hit: Hit) -> str:
    """A hit in two lines: what and where, then the words in their context."""
    if hit.in_history:
        by = one_line(hit.by or "?", 30)
        head = f"history {hit.id} {shown_time(hit.at)} {by}: {hit.title}"
    else:
        head = f"{hit.kind} {hit.id}: {hit.title}"
    field = f"{hit.field} (replaced)" if hit.old else hit.field
    return f"{head}\n    {field}: {hit.snippet}"


def as_json(hits: Hits) -> dict[str, Any]:
    """The `--json` output: the words, the total, and each hit listed."""
    return {
        "words": list(hits.words),
        "total": hits.total,
        "listed": len(hits),
        "hits": [
            {
                "kind": h.kind,
                "id": h.id,
                "field": h.field,
                "title": h.title,
                "snippet": h.snippet,
                "at": h.at,
                "by": h.by,
                "replaced": h.old,
                "open": {"mode": h.target.mode, "kind": h.target.kind, "id": h.target.id},
            }
            for h in hits
        ],
    }

"""The HTML report split into pages with a shared nav: the web view's pages and `--site DIR`.

The pages are cut from the HTML report's own output (report_html.render), section by section,
so the site and the report cannot disagree and every text is escaped by the report's `esc()`.
"""

from __future__ import annotations

import base64
import hashlib
import os
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from mlpl_tui import report_html
from mlpl_tui.errors import UsageError
from mlpl_tui.framework import Framework
from mlpl_tui.model import Project
from mlpl_tui.safe_io import refuse_link, write_file

if TYPE_CHECKING:
    from mlpl_tui.artifact_files import ArtifactState

# (page, file, nav label): the overview first; a page without a section is left out.
PAGES = (
    ("index", "index.html", "Overview"),
    ("journey", "journey.html", "Journey"),
    ("timeline", "timeline.html", "Timeline"),
    ("decisions", "decisions.html", "Decisions"),
    ("experiments", "experiments.html", "Experiments"),
    ("learnings", "learnings.html", "Learnings"),
    ("artifacts", "artifacts.html", "Artifacts"),
)
# Which page a report section goes on; a section not named here goes on the overview.
SECTION_PAGE = {
    "journey": "journey",
    "timeline": "timeline",
    "decisions": "decisions",
    "experiments": "experiments",
    "learnings": "learnings",
    "artifacts": "artifacts",
}

SITE_CSS = """
nav.site { display: flex; flex-wrap: wrap; gap: .3rem .9rem; margin: 0 0 1rem;
  padding: .4rem 0; border-bottom: 1px solid var(--line); }
nav.site a { color: var(--accent); text-decoration: none; }
nav.site a[aria-current="page"] { color: var(--ink); font-weight: 700; }
.wide { overflow-x: auto; max-width: 100%; }
@media (max-width: 640px) {
  body { padding: 1rem .75rem 2rem; font-size: 14px; }
  h1 { font-size: 1.35rem; }
  .cards { grid-template-columns: repeat(auto-fit, minmax(100px, 1fr)); gap: .5rem; }
  .card b { font-size: 1.15rem; }
  .stages { grid-template-columns: minmax(0, 1fr); }
  .decision dl { grid-template-columns: 1fr; }
}
@media print {
  nav.site { display: none; }
  .wide { overflow: visible; }
}
"""
STYLE = report_html.CSS + SITE_CSS

LIVE_JS = """\
(function () {
  "use strict";
  var tag = document.querySelector('meta[name="mlpl-etag"]');
  var seen = tag ? tag.getAttribute("content") : null;
  function poll() {
    fetch("state.etag", { cache: "no-store", credentials: "same-origin" })
      .then(function (r) { return r.ok ? r.text() : null; })
      .then(function (now) {
        if (now && seen && now.trim() !== seen) { window.location.reload(); }
        else { window.setTimeout(poll, 2000); }
      })
      .catch(function () { window.setTimeout(poll, 2000); });
  }
  window.setTimeout(poll, 2000);
})();
"""

# No favicon request (a 404 in the console): an empty one inline (img-src allows data:).
_LINKS = '<link rel="icon" href="data:,"><link rel="stylesheet" href="style.css">'
_SECTION = re.compile(r'^<section id="([^"]+)">', re.MULTILINE)
_STYLE_ATTR = re.compile(r'\sstyle="([^"]*)"')


@dataclass(frozen=True)
class Page:
    """One page: its file name, its HTML and the style attributes it uses (for the CSP)."""

    name: str
    file: str
    html: str
    style_hashes: tuple[str, ...]


def split_report(report: str) -> tuple[str, list[tuple[str, str]], str]:
    """The report's head (up to its first section), its sections (id, html) and its footer.

    A section starts at a line `<section id="...">`: text from the data is escaped, so no line
    of it can start so."""
    starts = [(m.start(), m.group(1)) for m in _SECTION.finditer(report)]
    end = report.rfind("\n<footer>")
    if not starts or end < starts[-1][0]:
        raise ValueError("the HTML report has no sections or no footer")
    sections = [
        (name, report[start : (starts[i + 1][0] if i + 1 < len(starts) else end)])
        for i, (start, name) in enumerate(starts)
    ]
    return report[: starts[0][0]], sections, report[end:]


def _style_hash(value: str) -> str:
    digest = hashlib.sha256(value.encode("utf-8")).digest()
    return "'sha256-" + base64.b64encode(digest).decode("ascii") + "'"


def build_pages(
    project: Project,
    framework: Framework,
    artifact_states: Sequence[ArtifactState] | None = None,
    *,
    live: str | None = None,
    now: str | None = None,
) -> dict[str, Page]:
    """Every page, keyed by name. `live` is the state's ETag: the pages then poll for a change
    (a script, or a refresh without scripts); None for static files. `now` marks today on the
    timeline (default: the time the state is as of)."""
    report = report_html.render(project, framework, artifact_states, now)
    head, sections, footer = split_report(report)
    by_page: dict[str, list[str]] = {}
    for name, text in sections:
        by_page.setdefault(SECTION_PAGE.get(name, "index"), []).append(text)
    shown = [(n, f, label) for n, f, label in PAGES if n in by_page]
    inline = f"<style>{report_html.CSS}</style></head><body>"
    if head.count(inline) != 1 or head.count(": MLPL report</title>") != 1:
        raise ValueError("the HTML report's head has changed: update mlpl_tui/site.py")
    cards_at = head.find('<section class="cards">')
    header_only = head[:cards_at] if cards_at >= 0 else head
    extra = ""
    if live is not None:
        extra = (
            f'<meta name="mlpl-etag" content="{report_html.esc(live)}">'
            '<script src="live.js" defer></script>'
            '<noscript><meta http-equiv="refresh" content="10"></noscript>'
        )
    pages = {}
    for name, file, label in shown:
        current = ' aria-current="page"'
        nav = '<nav class="site" aria-label="Pages">' + "".join(
            f'<a href="{f}"{current if n == name else ""}>{lbl}</a>' for n, f, lbl in shown
        )
        nav += "</nav>"
        top = head if name == "index" else header_only
        top = top.replace(": MLPL report</title>", f": {label} · MLPL report</title>")
        top = top.replace(inline, f"{_LINKS}{extra}</head><body>")
        # A wide table scrolls in its own box: the page never gets wider than the screen.
        body = "".join(by_page[name]).replace("<table>", '<div class="wide"><table>')
        body = body.replace("</table>", "</table></div>")
        if name != "decisions" and "decisions" in by_page:
            body = body.replace('href="#decision-', 'href="decisions.html#decision-')
        text = top.replace("<header>", nav + "<header>", 1) + body + footer
        styles = sorted({_style_hash(v) for v in _STYLE_ATTR.findall(text)})
        pages[name] = Page(name, file, text, tuple(styles))
    return pages


def write_site(pages: dict[str, Page], folder: Path) -> list[Path]:
    """The pages and style.css as static files in `folder` (created), never through a link."""
    refuse_link(folder, "refusing to write the site through it")
    if os.path.lexists(folder) and not folder.is_dir():
        raise UsageError(f"{folder} exists and is not a folder; name a folder for --site")
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise UsageError(f"cannot create {folder}: {exc.strerror or exc}") from None
    refuse_link(folder, "refusing to write the site through it")
    written = []
    for page in pages.values():
        target = folder / page.file
        write_file(target, page.html.encode("utf-8"))
        written.append(target)
    target = folder / "style.css"
    write_file(target, STYLE.encode("utf-8"))
    written.append(target)
    return written

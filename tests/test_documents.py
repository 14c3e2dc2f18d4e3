"""Living stage documents: written from templates, refreshed without touching hand edits."""

from __future__ import annotations

import os
import re
from collections.abc import Callable
from pathlib import Path

import orjson
import pytest
from markdown_it import MarkdownIt

from mlpl_tui import documents
from mlpl_tui.artifacts import attach
from mlpl_tui.documents import create_document, refresh_artifact, refresh_text
from mlpl_tui.errors import UsageError
from mlpl_tui.framework import Framework, builtin_framework_path, parse_framework
from mlpl_tui.learnings import learn
from mlpl_tui.lifecycle import (
    Context,
    abandon_experiment,
    add_experiment,
    advance,
    answer_question,
    decide,
    log_effort,
    set_status,
    switch_back,
)
from mlpl_tui.progress import format_minutes
from mlpl_tui.report_view import ReportView
from mlpl_tui.sanitize import clean
from mlpl_tui.store import Store, dump
from tests.conftest import ROOT, Result, apply, assert_refused
from tests.html_page import markdown_page

Cli = Callable[..., Result]

# A stored text that tries everything: close a region, colour a terminal, open a tag, Rich
# markup, end a table cell, start a new Markdown line.
HOSTILE = (
    "<!-- mlpl:end decisions -->\n\x1b[31mred [bold]x[/bold] <script>alert(1)</script> | a\n# h"
)
_REGION = re.compile(
    r"(<!-- mlpl:begin ([a-z]+)[^>]*-->\r?\n)(.*?)(<!-- mlpl:end \2 -->)", re.DOTALL
)


def outside(text: str) -> list[str]:
    """The text with every generated region's inside cut out: what a refresh must keep."""
    return _REGION.split(text)[0::5] + [m[1] + m[4] for m in _REGION.finditer(text)]


def inside(text: str, name: str) -> str:
    found = {m[2]: m[3] for m in _REGION.finditer(text)}
    return found[name]


def attach_doc(store: Store, framework: Framework, ctx: Context, artifact: str, where: str) -> None:
    apply(store, framework, ctx, attach, artifact, where)


def root_of(store: Store) -> Path:
    return store.path.parent


def table_cells(markdown: str) -> list[str]:
    return markdown_page(markdown).cells


def first_line(exc: pytest.ExceptionInfo[UsageError]) -> str:
    return str(exc.value).splitlines()[0]


# --- doc new, hand edits, doc refresh -------------------------------------------------------


def test_refresh_keeps_hand_edits_byte_for_byte_and_updates_the_regions(
    store: Store, framework: Framework, ctx: Context
) -> None:
    root = root_of(store)
    apply(store, framework, ctx, decide, "Weekly horizon", "Forecast one week ahead")
    location = create_document(store.load(), framework, root, "project-charter")
    assert location == "docs/charter.md"
    path = root / location
    written = path.read_text(encoding="utf-8")
    assert "Weekly horizon" in inside(written, "decisions")
    assert "Test project" in inside(written, "project")
    assert "## Business problem" in written  # a hand-written section of the template
    attach_doc(store, framework, ctx, "project-charter", location)

    # Hand edits before, between and after the regions; CRLF; no final newline; unicode.
    edited = written.replace("# Project charter", "# Charter — Prévision ☃ 需求\n\nIntro by us.")
    edited = edited.replace("## Business problem", "## Business problem\n\nOur text, ✓ kept.")
    edited = edited.replace("\n", "\r\n") + "\r\nLast words, ünïcödé, no newline"
    path.write_bytes(edited.encode("utf-8"))
    before = outside(edited)

    apply(store, framework, ctx, decide, "Drop the promo feed", "Promotions are unreliable")
    apply(store, framework, ctx, answer_question, "2", "partly", "Two seasons of sales")
    assert refresh_artifact(store.load(), framework, root, "project-charter") == [location]

    after = path.read_bytes().decode("utf-8")
    assert outside(after) == before
    assert after.endswith("Last words, ünïcödé, no newline")
    assert "\n" not in after.replace("\r\n", "")  # generated lines follow the file's CRLF
    decisions = inside(after, "decisions")
    assert "Weekly horizon" in decisions and "Drop the promo feed" in decisions
    assert "| D2 | Drop the promo feed | accepted |" in decisions
    assert "| 2 | Is there supporting data? | partly | Two seasons of sales |" in after
    # A second refresh with nothing new changes nothing and writes nothing.
    assert refresh_artifact(store.load(), framework, root, "project-charter") == []
    assert path.read_bytes().decode("utf-8") == after


def test_refresh_text_rewrites_only_the_regions(
    store: Store, framework: Framework, ctx: Context
) -> None:
    apply(store, framework, ctx, decide, "Use MAPE", "Weighted MAPE is the metric")
    text = (
        "\ufeffPréface ✓\r\n"
        "  <!-- mlpl:begin decisions -->  \r\n"
        "stale text a refresh replaces\r\n"
        "<!-- mlpl:end decisions -->\r\n"
        "between\r\n\r\n"
        "<!-- mlpl:begin project -->\n"
        "<!-- mlpl:end project -->\n"
        "end without newline 末"
    )
    new = refresh_text(text, store.load(), framework, "project-charter", "x.md")
    assert new.startswith("\ufeffPréface ✓\r\n  <!-- mlpl:begin decisions -->  \r\n\r\n| # |")
    assert "stale text" not in new and "Use MAPE" in new
    assert (
        "\r\n\r\n<!-- mlpl:end decisions -->\r\nbetween\r\n\r\n<!-- mlpl:begin project -->\n"
        in (new)
    )
    assert new.endswith("\n\n<!-- mlpl:end project -->\nend without newline 末")
    assert refresh_text(new, store.load(), framework, "project-charter", "x.md") == new


def test_the_final_report_agrees_with_the_report_view(
    store: Store, framework: Framework, ctx: Context
) -> None:
    for module in framework.stage("business").required_modules:
        apply(store, framework, ctx, set_status, module.id, "done")
    apply(store, framework, ctx, log_effort, "2h", stage="business")
    apply(store, framework, ctx, advance)
    apply(store, framework, ctx, switch_back, "business", "business", "Wrong target")
    apply(store, framework, ctx, log_effort, "1h", stage="business")
    apply(store, framework, ctx, decide, "Data decision", "Keep it", stage="data")
    apply(store, framework, ctx, learn, "Ask for the promo calendar first")
    root = root_of(store)
    project = store.load()
    location = create_document(project, framework, root, "exit-report")
    text = (root / location).read_text(encoding="utf-8")
    view = ReportView(project, framework)
    effort = view.effort
    assert effort.total == 180 and effort.rework == 60
    share = f"Total {format_minutes(effort.total)}, of which rework {format_minutes(60)} (**33%**)"
    assert share in inside(text, "effort")
    assert "Wrong target" in inside(text, "switches")
    assert "Data decision" in inside(text, "decisions")  # the final report lists every stage's
    assert "Ask for the promo calendar first" in inside(text, "learnings")
    assert "| Final \\(exit\\) report |" not in text  # md() escapes only Markdown's characters
    assert "| Final (exit) report | Delivery" in inside(text, "artifacts")
    # The new document shows as attached, as it is once `doc new` attaches it.
    assert f"| attached | {location} |" in inside(text, "artifacts")
    # A stage's own document lists only that stage's decisions.
    charter = create_document(project, framework, root, "project-charter")
    assert "Data decision" not in (root / charter).read_text(encoding="utf-8")


# --- refusals -------------------------------------------------------------------------------

BROKEN = {
    "begin without end": ("<!-- mlpl:begin decisions -->\nx\n", 3, "has no"),
    "end without begin": ("<!-- mlpl:end decisions -->\n", 3, "has no"),
    "nested": (
        "<!-- mlpl:begin decisions -->\n<!-- mlpl:begin project -->\n"
        "<!-- mlpl:end project -->\n<!-- mlpl:end decisions -->\n",
        4,
        "inside",
    ),
    "repeated": (
        "<!-- mlpl:begin project -->\n<!-- mlpl:end project -->\n"
        "<!-- mlpl:begin project -->\n<!-- mlpl:end project -->\n",
        5,
        "twice",
    ),
    "unknown region": ("<!-- mlpl:begin budget -->\n<!-- mlpl:end budget -->\n", 3, "unknown"),
    "marker edited": ("<!-- mlpl:begin decisions\n<!-- mlpl:end decisions -->\n", 3, "edited"),
    "text on the marker line": (
        "<!-- mlpl:begin project --> ours\n<!-- mlpl:end project -->\n",
        3,
        "edited",
    ),
    "names differ": ("<!-- mlpl:begin project -->\n<!-- mlpl:end decisions -->\n", 4, "match"),
    "unknown setting": (
        "<!-- mlpl:begin project experiment=x -->\n<!-- mlpl:end project -->\n",
        3,
        "settings",
    ),
}


@pytest.mark.parametrize("case", sorted(BROKEN))
def test_a_refused_refresh_says_where_and_writes_nothing(
    store: Store, framework: Framework, ctx: Context, case: str
) -> None:
    root = root_of(store)
    (root / "docs").mkdir()
    good, bad = root / "docs" / "good.md", root / "docs" / "bad.md"
    good.write_bytes(b"# Good\n<!-- mlpl:begin project -->\n<!-- mlpl:end project -->\n")
    broken, line, words = BROKEN[case]
    bad.write_bytes(("# Ours\n\n" + broken).encode("utf-8"))
    for path in (good, bad):
        os.utime(path, ns=(1_000_000_000, 1_000_000_000))
    attach_doc(store, framework, ctx, "project-charter", "docs/good.md")
    attach_doc(store, framework, ctx, "project-charter", "docs/bad.md")
    saved = {p: (p.read_bytes(), p.stat().st_mtime_ns) for p in (good, bad)}

    with pytest.raises(UsageError) as refused:
        refresh_artifact(store.load(), framework, root, "project-charter")
    assert first_line(refused).startswith(f"docs/bad.md:{line}: ")
    assert words in str(refused.value)
    assert {p: (p.read_bytes(), p.stat().st_mtime_ns) for p in (good, bad)} == saved
    assert sorted(os.listdir(root / "docs")) == ["bad.md", "good.md"]  # no temporary left


def test_a_stored_marker_cannot_close_a_region_and_hostile_text_renders_safely(
    store: Store, framework: Framework, ctx: Context
) -> None:
    apply(store, framework, ctx, decide, HOSTILE, HOSTILE, stage="delivery")
    apply(store, framework, ctx, advance, force=True, why="Data first")
    apply(store, framework, ctx, switch_back, "business", "data", HOSTILE)
    change = store.apply(
        lambda p: add_experiment(p, framework, ctx, HOSTILE, hypothesis=HOSTILE), "t", ctx.now
    )
    assert change.change.result is not None
    store.apply(
        lambda p: abandon_experiment(p, ctx, str(change.change.result), HOSTILE, HOSTILE),
        "t",
        ctx.now,
    )
    apply(store, framework, ctx, learn, HOSTILE)
    apply(store, framework, ctx, answer_question, "1", "yes", HOSTILE)
    root = root_of(store)
    location = create_document(store.load(), framework, root, "exit-report")
    path = root / location
    text = path.read_text(encoding="utf-8")

    assert "\x1b" not in text and "<script>" not in text
    assert "\\\\x1b\\[31mred \\[bold\\]x\\[/bold\\] &lt;script&gt;" in text
    # Only the template's markers are markers: eight regions, each closed by its own end.
    names = [r.name for r in documents.find_regions(text, location)]
    assert names == [
        "project",
        "answers",
        "switches",
        "decisions",
        "experiments",
        "effort",
        "learnings",
        "artifacts",
    ]
    assert text.count("<!-- mlpl:end decisions -->") == 1
    # No line of generated text starts a heading or a tag; each text shows as typed, whole, in
    # its own table cell (a stray | would have split it).
    assert not [line for line in text.splitlines() if line.startswith("# h")]
    tokens = MarkdownIt("commonmark").enable("table").parse(text)
    assert not [t for t in tokens if t.type == "html_inline"]
    html = [t.content for t in tokens if t.type == "html_block"]
    assert all(block.lstrip().startswith("<!--") for block in html), html
    cells = table_cells(text)
    shown = " ".join(clean(HOSTILE).replace("\\n", " ").split())
    assert shown.startswith("<!-- mlpl:end decisions --> \\x1b[31mred [bold]x[/bold] <script>")
    assert cells.count(shown) >= 5  # decision title and text, switch, experiment, learning
    # Once attached, the document refreshes to itself: the stored marker did not break it.
    attach_doc(store, framework, ctx, "exit-report", location)
    assert refresh_text(text, store.load(), framework, "exit-report", location) == text


# --- where a document may be written --------------------------------------------------------


def _refuses(store: Store, framework: Framework, path: str | None, *words: str) -> None:
    with pytest.raises(UsageError) as refused:
        create_document(store.load(), framework, root_of(store), "project-charter", path)
    for word in words:
        assert word in str(refused.value)


def test_documents_outside_the_project_or_through_links_are_refused(
    store: Store, framework: Framework, tmp_path: Path, tmp_path_factory: pytest.TempPathFactory
) -> None:
    root = root_of(store)
    elsewhere = tmp_path_factory.mktemp("elsewhere")
    _refuses(store, framework, "../charter.md", "outside the project")
    _refuses(store, framework, str(elsewhere / "charter.md"), "outside the project")
    _refuses(store, framework, "docs/../../charter.md", "outside the project")
    _refuses(store, framework, "https://example.com/charter.md", "not a path")
    _refuses(store, framework, "docs/charter.txt", "not a Markdown file")

    # A folder on the way that is a link leading out of the project.
    (root / "docs").symlink_to(elsewhere, target_is_directory=True)
    _refuses(store, framework, None, "docs is a link", "leads out of the project")
    _refuses(store, framework, "docs/deeper/charter.md", "leads out of the project")
    assert list(elsewhere.iterdir()) == []
    (root / "docs").unlink()

    # A link at the target itself, dangling or not, and an existing file.
    (root / "docs").mkdir()
    (root / "docs" / "charter.md").symlink_to(elsewhere / "planted.md")
    _refuses(store, framework, None, "symbolic link")
    assert list(elsewhere.iterdir()) == []
    (root / "docs" / "charter.md").unlink()
    (root / "docs" / "charter.md").write_text("ours\n")
    _refuses(store, framework, None, "docs/charter.md exists", "doc refresh project-charter")
    assert (root / "docs" / "charter.md").read_text() == "ours\n"


def test_a_new_document_goes_in_new_folders_inside_the_project(
    store: Store, framework: Framework
) -> None:
    root = root_of(store)
    (root / "notes").mkdir()
    (root / "in-project").symlink_to(root / "notes", target_is_directory=True)
    project = store.load()
    assert create_document(project, framework, root, "data-report") == "docs/data-report.md"
    assert create_document(project, framework, root, "project-charter", "a/b/c.md") == "a/b/c.md"
    assert (root / "a" / "b" / "c.md").is_file()
    # A link that stays inside the project is a folder like another.
    assert create_document(project, framework, root, "project-charter", "in-project/x.md")
    assert (root / "notes" / "x.md").is_file()


def test_refresh_never_writes_through_a_link(
    store: Store, framework: Framework, ctx: Context, tmp_path_factory: pytest.TempPathFactory
) -> None:
    root = root_of(store)
    location = create_document(store.load(), framework, root, "project-charter")
    attach_doc(store, framework, ctx, "project-charter", location)
    outside_file = tmp_path_factory.mktemp("elsewhere") / "victim.md"
    outside_file.write_text("<!-- mlpl:begin project -->\n<!-- mlpl:end project -->\n")
    saved = outside_file.read_bytes()
    (root / location).unlink()
    (root / location).symlink_to(outside_file)
    apply(store, framework, ctx, decide, "Anything", "changes the state")
    with pytest.raises(UsageError, match="symbolic link"):
        refresh_artifact(store.load(), framework, root, "project-charter")
    assert outside_file.read_bytes() == saved

    # A location planted in the state file by hand, leading out of the project.
    data = orjson.loads(store.path.read_bytes())
    planted = os.path.relpath(outside_file, root)
    data["artifacts"]["project-charter"]["locations"] = [planted, f"/{outside_file}"]
    store.path.write_bytes(dump(data))
    for location in (planted, f"/{outside_file}"):
        assert location in store.load().artifact_links["project-charter"].locations
    refused = documents.refresh_all(store.load(), framework, root)
    assert len(refused.refused) == 2 and not refused.written
    assert outside_file.read_bytes() == saved


def test_refresh_skips_urls_and_other_files(
    store: Store, framework: Framework, ctx: Context
) -> None:
    root = root_of(store)
    location = create_document(store.load(), framework, root, "data-report")
    (root / "docs" / "notes.txt").write_text("<!-- mlpl:begin oops\n")
    for where in (location, "docs/notes.txt", "https://wiki.example.com/data"):
        attach_doc(store, framework, ctx, "data-report", where)
    apply(store, framework, ctx, advance, force=True, why="Data first")
    apply(store, framework, ctx, switch_back, "business", "data", "Labels are missing")
    assert refresh_artifact(store.load(), framework, root, "data-report") == [location]
    assert "Labels are missing" in (root / location).read_text(encoding="utf-8")
    assert (root / "docs" / "notes.txt").read_text() == "<!-- mlpl:begin oops\n"


# --- templates ------------------------------------------------------------------------------


def test_a_team_template_overrides_the_built_in_one(
    store: Store, framework: Framework, ctx: Context
) -> None:
    root = root_of(store)
    (root / "mlpl-templates").mkdir()
    (root / "mlpl-templates" / "charter.md").write_text(
        "# Our charter\n\n## Why\n\n<!-- mlpl:begin learnings -->\n<!-- mlpl:end learnings -->\n",
        encoding="utf-8",
    )
    apply(store, framework, ctx, learn, "Talk to the planners")
    location = create_document(store.load(), framework, root, "project-charter")
    text = (root / location).read_text(encoding="utf-8")
    assert text.startswith("# Our charter\n\n## Why\n")
    assert "Talk to the planners" in text
    assert "## Business problem" not in text
    # Other templates still come built in.
    data = create_document(store.load(), framework, root, "data-report")
    assert "## Data dictionary" in (root / data).read_text(encoding="utf-8")


def test_a_template_with_an_unknown_region_or_a_link_is_refused(
    store: Store, framework: Framework, tmp_path_factory: pytest.TempPathFactory
) -> None:
    root = root_of(store)
    (root / "mlpl-templates").mkdir()
    team = root / "mlpl-templates" / "charter.md"
    team.write_text("# Ours\n\n<!-- mlpl:begin budget -->\n<!-- mlpl:end budget -->\n")
    _refuses(store, framework, None, "mlpl-templates/charter.md:3:", "unknown region 'budget'")
    team.unlink()
    secret = tmp_path_factory.mktemp("elsewhere") / "secret.md"
    secret.write_text("secret\n")
    team.symlink_to(secret)
    _refuses(store, framework, None, "symbolic link")
    assert not (root / "docs").exists()


def test_an_unknown_template_lists_the_available_ones(store: Store, tmp_path: Path) -> None:
    text = builtin_framework_path().read_text(encoding="utf-8")
    text = text.replace("template: charter", "template: minutes")
    framework = parse_framework(text, tmp_path / "mlpl.yaml")
    with pytest.raises(UsageError) as refused:
        create_document(store.load(), framework, root_of(store), "project-charter")
    message = str(refused.value)
    assert "no template 'minutes'" in message
    assert "charter, data-report, final-report, model-report" in message


def test_every_built_in_template_is_declared_and_well_formed(framework: Framework) -> None:
    folder = ROOT / "data" / "templates"
    names = sorted(p.stem for p in folder.glob("*.md"))
    assert names == sorted(a.template for a in framework.artifacts.values() if a.template)
    expected = {
        "charter": ["project", "answers", "decisions"],
        "data-report": ["project", "switches", "decisions"],
        "model-report": ["project", "experiments", "decisions"],
        "final-report": [
            "project",
            "answers",
            "switches",
            "decisions",
            "experiments",
            "effort",
            "learnings",
            "artifacts",
        ],
    }
    for name in names:
        text = (folder / f"{name}.md").read_text(encoding="utf-8")
        assert [r.name for r in documents.find_regions(text, name)] == expected[name]
    pyproject = (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    assert '"data/templates" = "mlpl_tui/data/templates"' in pyproject  # shipped in the wheel


# --- a model report on one experiment -------------------------------------------------------


def _experiment(store: Store, framework: Framework, ctx: Context, title: str, **kw: str) -> str:
    change = store.apply(lambda p: add_experiment(p, framework, ctx, title, **kw), "t", ctx.now)
    assert change.change.result is not None
    return change.change.result


def test_a_model_report_on_one_experiment(store: Store, framework: Framework, ctx: Context) -> None:
    root = root_of(store)
    gbm = _experiment(store, framework, ctx, "Gradient boosting", hypothesis="Beats the mean")
    other = _experiment(store, framework, ctx, "Prophet", hypothesis="Seasonality matters")
    apply(store, framework, ctx, log_effort, "1h30m", stage="modelling", experiment=gbm)
    location = create_document(store.load(), framework, root, "model-report", experiment=gbm)
    assert location == f"docs/model-report-{gbm}.md"
    path = root / location
    text = path.read_text(encoding="utf-8")
    assert f"<!-- mlpl:begin experiments experiment={gbm} -->" in text
    part = inside(text, "experiments")
    assert "Gradient boosting" in part and "Beats the mean" in part and "1h30m" in part
    assert "Prophet" not in text
    attach_doc(store, framework, ctx, "model-report", location)

    store.apply(lambda p: abandon_experiment(p, ctx, gbm, "Overfits", "MAPE 40%"), "t", ctx.now)
    assert refresh_artifact(store.load(), framework, root, "model-report") == [location]
    part = inside(path.read_text(encoding="utf-8"), "experiments")
    assert "**Result.** MAPE 40%" in part and "**Why abandoned.** Overfits" in part
    assert "Prophet" not in part and other not in part

    # The default model report lists them all; a charter has no experiments region.
    every = create_document(store.load(), framework, root, "model-report")
    assert "Prophet" in (root / every).read_text(encoding="utf-8")
    with pytest.raises(UsageError, match="no experiments region"):
        create_document(store.load(), framework, root, "project-charter", experiment=gbm)
    with pytest.raises(UsageError, match="no experiment with id"):
        create_document(store.load(), framework, root, "model-report", "x.md", experiment="zz")


def test_an_artifact_without_a_template_is_a_clear_error(
    store: Store, framework: Framework
) -> None:
    with pytest.raises(UsageError) as refused:
        create_document(store.load(), framework, root_of(store), "data-inventory")
    assert "data-inventory has no template" in str(refused.value)
    assert "project-charter" in str(refused.value)


# --- the command line -----------------------------------------------------------------------


def test_doc_new_then_refresh_on_the_command_line(cli: Cli, tmp_path: Path) -> None:
    assert cli("init", "--name", "Churn").code == 0
    made = cli("doc", "new", "project-charter")
    assert made.code == 0, made.err
    assert made.out.splitlines()[-1] == "docs/charter.md"
    listed = Store(tmp_path / "mlpl.json").load().artifact_links["project-charter"]
    assert listed.locations == ("docs/charter.md",)
    path = tmp_path / "docs" / "charter.md"
    path.write_text(path.read_text(encoding="utf-8") + "\nOur notes.\n", encoding="utf-8")

    assert cli("decide", "Churn within 90 days", "--decision", "Label = no order").code == 0
    done = cli("doc", "refresh", "project-charter")
    assert done.code == 0, done.err
    assert done.out.split() == ["docs/charter.md"]
    text = path.read_text(encoding="utf-8")
    assert "Churn within 90 days" in text and text.endswith("\nOur notes.\n")
    again = cli("doc", "refresh", "--all")
    assert again.code == 0 and again.out == ""
    assert "1 already up to date" in again.err

    assert_refused(cli("doc", "new", "project-charter"), "exists", "doc refresh")
    # An attached document deleted by mistake: refresh says so, doc new writes it again.
    path.unlink()
    assert_refused(cli("doc", "refresh", "project-charter"), "missing", "doc new")
    again_made = cli("doc", "new", "project-charter")
    assert again_made.code == 0, again_made.err
    assert "nothing to change" in again_made.err and path.is_file()
    listed = Store(tmp_path / "mlpl.json").load().artifact_links["project-charter"]
    assert listed.locations == ("docs/charter.md",)
    assert_refused(cli("doc", "refresh"), "--all")
    assert_refused(cli("doc", "refresh", "project-charter", "--all"), "--all")
    assert_refused(cli("doc", "refresh", "data-report"), "doc new data-report")
    assert_refused(cli("doc", "new", "nothing-like-it"), "nothing-like-it")
    assert_refused(cli("doc", "new", "data-inventory"), "no template")


def test_doc_new_takes_a_path_from_the_current_folder(
    cli: Cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert cli("init").code == 0
    (tmp_path / "reports").mkdir()
    monkeypatch.chdir(tmp_path / "reports")
    made = cli("doc", "new", "data-report", "data.md")
    assert made.code == 0, made.err
    assert made.out.splitlines()[-1] == "reports/data.md"
    assert (tmp_path / "reports" / "data.md").is_file()
    assert_refused(cli("doc", "new", "model-report", "../../model.md"), "outside the project")
    assert not (tmp_path.parent / "model.md").exists()


def test_refresh_all_refreshes_the_others_when_one_is_refused(cli: Cli, tmp_path: Path) -> None:
    assert cli("init").code == 0
    assert cli("doc", "new", "project-charter").code == 0
    assert cli("doc", "new", "data-report").code == 0
    broken = tmp_path / "docs" / "charter.md"
    broken.write_bytes(broken.read_bytes().replace(b"<!-- mlpl:end decisions -->", b""))
    saved = broken.read_bytes()
    assert cli("decide", "Use the ERP export", "--decision", "It is complete").code == 0
    assert cli("advance", "--force", "--why", "Data first").code == 0

    done = cli("doc", "refresh", "--all")
    assert done.code == 1
    assert done.out.split() == ["docs/data-report.md"]
    assert "docs/charter.md:" in done.err and "has no '<!-- mlpl:end decisions -->'" in done.err
    assert "1 refused" in done.err and "Traceback" not in done.err
    assert broken.read_bytes() == saved
    assert "iteration 1" in (tmp_path / "docs" / "data-report.md").read_text(encoding="utf-8")
    one = cli("doc", "refresh", "project-charter")
    assert_refused(one, "docs/charter.md:")


def test_doc_new_for_an_experiment_on_the_command_line(cli: Cli, tmp_path: Path) -> None:
    assert cli("init").code == 0
    added = cli("experiment", "add", "Linear baseline", "--hypothesis", "Trend only")
    assert added.code == 0, added.err
    experiment = added.out.strip()
    made = cli("doc", "new", "model-report", "--experiment", experiment)
    assert made.code == 0, made.err
    location = f"docs/model-report-{experiment}.md"
    assert made.out.splitlines()[-1] == location
    assert "Trend only" in (tmp_path / location).read_text(encoding="utf-8")
    assert_refused(cli("doc", "new", "model-report", "--experiment", "nope"), "nope")

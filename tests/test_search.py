"""Global search (mlpl_tui.search) and `mlpl-tui search`: every typed text now and in the
history, every word required, hits ordered and bounded, output clean and exact."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from mlpl_tui.artifacts import attach
from mlpl_tui.corrections import edit_decision, edit_experiment
from mlpl_tui.errors import UsageError
from mlpl_tui.framework import Framework
from mlpl_tui.learnings import learn
from mlpl_tui.lifecycle import (
    Context,
    abandon_experiment,
    add_experiment,
    advance,
    answer_question,
    decide,
    keep_experiment,
    log_effort,
    set_note,
    set_status,
    switch_back,
)
from mlpl_tui.model import Change, Project
from mlpl_tui.search import MAX_HITS, SNIPPET_CHARS, Hit, Target, search, snippet
from mlpl_tui.store import Store
from tests.conftest import ROOT, Result, apply, assert_refused

# A reason longer than a summary quotes (60 characters): `leak` sits past the cut.
LONG_REASON = (
    "The train/test split was random over days, so the model saw the future of every "
    "held-out week: a leak that makes every result optimistic"
)
RAW_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def _result(store: Store, rule: Callable[[Project], Change]) -> str:
    applied = store.apply(rule, "tester", "2026-03-02T10:00:00Z")
    assert applied.change.result is not None
    return applied.change.result


@pytest.fixture
def project(store: Store, framework: Framework, ctx: Context) -> Project:
    """One text of every kind the search reads, each holding the word `zebra` once."""
    for module in framework.stage("business").required_modules:
        apply(store, framework, ctx, set_status, module.id, "done")
    apply(store, framework, ctx, set_note, "business.objectives", "Cut waste: zebra crossings")
    apply(
        store,
        framework,
        ctx,
        set_status,
        "business.milestones",
        "skipped",
        reason="Fixed engagement; the zebra office owns the plan",
    )
    apply(store, framework, ctx, answer_question, "1", "yes", "Planners act on zebra counts")
    apply(store, framework, ctx, log_effort, "1h", note="Zebra workshop")
    apply(store, framework, ctx, advance)
    apply(store, framework, ctx, switch_back, "business", "data", LONG_REASON)
    decided = _result(
        store,
        lambda p: decide(
            p, framework, ctx, "Weekly grain", "Per week", rationale="Zebra planners order weekly"
        ),
    )
    assert decided
    kept = _result(
        store, lambda p: add_experiment(p, framework, ctx, "Baseline", link="runs/zebra-1")
    )
    store.apply(lambda p: keep_experiment(p, ctx, kept, result="MAPE 31%, zebra"), "t", ctx.now)
    dropped = _result(store, lambda p: add_experiment(p, framework, ctx, "Observed weather"))
    store.apply(lambda p: abandon_experiment(p, ctx, dropped, "A zebra leak"), "t", ctx.now)
    apply(store, framework, ctx, learn, "Counts lag a week behind the ZEBRA feed")
    apply(store, framework, ctx, attach, "experiment-log", "https://wiki.example.com/zebra-runs")
    return store.load()


def kinds(hits: list[Hit]) -> list[tuple[str, str]]:
    return [(h.kind, h.field) for h in hits if not h.in_history]


# --- what is found -------------------------------------------------------------------------------


def test_every_kind_of_typed_text_is_found(project: Project, framework: Framework) -> None:
    hits = search(project, framework, ["zebra"])
    assert sorted(kinds(hits)) == [
        ("answer", "note"),
        ("artifact", "location"),
        ("decision", "rationale"),
        ("effort", "note"),
        ("experiment", "link"),  # the title is Baseline; its link comes before its result
        ("experiment", "reason"),
        ("learning", "text"),
        ("module", "note"),
        ("module", "reason"),
    ]
    # And every event that wrote one of them, from the history.
    assert len([h for h in hits if h.in_history]) == 10  # 9 writes + the result of `keep`
    assert hits.total == len(hits) == 19 and hits.complete
    targets = {h.kind: h.target for h in hits if not h.in_history}
    assert targets["learning"].mode == "learnings"
    assert targets["artifact"] == Target("stage-modelling", "artifact", "experiment-log")


def test_every_word_must_appear_in_any_order_and_any_case(
    project: Project, framework: Framework
) -> None:
    hits = search(project, framework, ["OFFICE", "Zebra"])
    assert kinds(hits) == [("module", "reason")]
    assert (
        search(project, framework, ["zebra office"]).total
        == search(project, framework, ["zebra", "office"]).total
    )  # an argument is split into words
    assert search(project, framework, ["zebra", "giraffe"]).total == 0
    # Parts of words match: `leak` finds "leaked", `plan` finds "planners".
    assert ("decision", "rationale") in kinds(search(project, framework, ["plan", "weekly"]))


def test_words_spread_over_fields_of_one_record_match_it(
    project: Project, framework: Framework
) -> None:
    hits = search(project, framework, ["baseline", "31%"])
    (hit,) = [h for h in hits if not h.in_history]
    assert (hit.kind, hit.field) == ("experiment", "title")  # the first field with most words


def test_a_word_past_the_summary_cut_is_found_in_the_history(
    project: Project, framework: Framework
) -> None:
    assert LONG_REASON.index("leak") > 60
    hits = search(project, framework, ["leak", "optimistic"])
    current, event = hits
    assert (current.kind, current.field) == ("switch", "reason")
    assert current.target.mode == "history" and current.target.kind == "visit"
    assert event.in_history and event.field == "switches.reason"
    switch_event = project.event(event.id)
    assert switch_event is not None and "leak" not in switch_event.summary
    assert event.target == Target("history", "event", event.id)
    assert (event.at, event.by) == (switch_event.at, switch_event.by)


def test_a_replaced_value_is_found_and_marked_as_replaced(
    store: Store, project: Project, framework: Framework, ctx: Context
) -> None:
    later = Context("ann", "2026-03-09T10:00:00Z", make_id=ctx.make_id)
    apply(store, framework, later, set_note, "business.objectives", "Cut waste")
    hits = search(store.load(), framework, ["crossings"])
    assert kinds(hits) == []  # the note no longer says it
    replaced, written = hits
    assert replaced.old and replaced.by == "ann" and replaced.field == "modules.note"
    assert not written.old and written.by == "tester"  # newest first


def test_decisions_and_experiments_edited_keep_their_old_words_in_the_history(
    project: Project, store: Store, framework: Framework, ctx: Context
) -> None:
    decision = project.decisions[0]
    apply(store, framework, ctx, edit_decision, decision.id, rationale="Orders are weekly")
    experiment = project.experiments[0]
    apply(store, framework, ctx, edit_experiment, experiment.id, result="MAPE 30%")
    hits = search(store.load(), framework, ["zebra"])
    assert ("decision", "rationale") not in kinds(hits)
    assert ("experiment", "link") in kinds(hits)  # the link still says zebra
    fields = [(h.field, h.old) for h in hits if h.in_history][:2]
    assert fields == [("experiments.result", True), ("decisions.rationale", True)]


def test_current_records_come_first_newest_first_then_the_history_newest_first(
    project: Project, framework: Framework
) -> None:
    hits = search(project, framework, ["zebra"])
    history = [h for h in hits if h.in_history]
    assert hits[: len(hits) - len(history)] == [h for h in hits if not h.in_history]
    stamps = [h.at or "" for h in history]
    assert stamps == sorted(stamps, reverse=True)
    seqs = [e.seq for e in (project.event(h.id) for h in history) if e is not None]
    assert seqs == sorted(seqs, reverse=True)  # within one second, by position in the history


def test_who_and_when_are_shown_not_searched(project: Project, framework: Framework) -> None:
    assert search(project, framework, ["tester"]).total == 0
    assert search(project, framework, ["2026-03-02T10"]).total == 0


def test_hits_are_bounded_and_the_total_is_known(project: Project, framework: Framework) -> None:
    hits = search(project, framework, ["zebra"], limit=3)
    assert len(hits) == 3 and hits.total == 19 and not hits.complete
    assert list(hits) == list(search(project, framework, ["zebra"]))[:3]
    assert MAX_HITS >= 100


@pytest.mark.parametrize("words", [[], [""], ["  ", "\t"]])
def test_no_words_is_bad_usage(project: Project, framework: Framework, words: list[str]) -> None:
    with pytest.raises(UsageError, match="at least one word"):
        search(project, framework, words)


def test_each_hit_says_where_it_opens(project: Project, framework: Framework) -> None:
    targets = {(h.kind, h.field): h.target for h in search(project, framework, ["zebra"])}
    decision, experiment = project.decisions[0], project.experiments[0]
    effort = project.effort[0]
    assert targets[("module", "note")] == Target("stage-business", "module", "business.objectives")
    assert targets[("decision", "rationale")] == Target("decisions", "decision", decision.id)
    assert targets[("experiment", "link")] == Target("experiments", "experiment", experiment.id)
    assert targets[("answer", "note")] == Target("dashboard", "question", "1")
    assert targets[("effort", "note")] == Target("effort", "effort", effort.id)
    (visit,) = [v for v in project.visits if v.switch == project.switches[0].id]
    (switch,) = [h for h in search(project, framework, ["optimistic"]) if h.kind == "switch"]
    assert switch.target == Target("history", "visit", visit.id)
    assert switch.title == "Back from data to business (data)"


# --- snippets ------------------------------------------------------------------------------------


def test_a_snippet_is_one_bounded_line_around_the_first_match() -> None:
    text = "Intro line\n" + "word " * 40 + "the needle here\nand " + "more " * 40
    cut = snippet(text, ["needle"])
    assert len(cut) <= SNIPPET_CHARS and "\n" not in cut
    assert "needle" in cut and cut.startswith("…") and cut.endswith("…")
    assert cut.index("needle") <= 30  # some context before it, not a whole line
    assert snippet("Short text\nin two lines", ["two"]) == "Short text in two lines"
    end = snippet("x " * 100 + "the end", ["end"], width=20)
    assert end.endswith("the end") and len(end) <= 20
    assert snippet("a" * 500, ["zzz"], width=10) == "aaaaaaaaa…"  # no match: the start


def test_a_snippet_finds_words_whose_lowercase_is_longer() -> None:
    text = "İ" * 50 + " target word"
    assert "target" in snippet(text, ["target"], width=30)


def test_a_huge_text_costs_a_bounded_hit(store: Store, framework: Framework, ctx: Context) -> None:
    huge = "filler " * 100_000 + "needle"
    apply(store, framework, ctx, set_note, "business.objectives", huge)
    (hit, event) = search(store.load(), framework, ["needle"])
    assert hit.snippet.endswith("needle") and len(hit.snippet) <= SNIPPET_CHARS
    assert len(event.title) <= 70


# --- the command ---------------------------------------------------------------------------------


@pytest.fixture
def run(project: Project, cli: Callable[..., Result], tmp_path: Path) -> Callable[..., Result]:
    assert (tmp_path / "mlpl.json").is_file()
    return cli


def test_search_prints_each_hit_and_the_count(run: Callable[..., Result]) -> None:
    done = run("search", "leak", "optimistic")
    assert done.code == 0, done.err
    lines = done.out.splitlines()
    assert lines[0].startswith("switch ") and lines[0].endswith("Back from data to business (data)")
    assert lines[1].startswith("    reason: …") and "a leak that makes" in lines[1]
    assert lines[2].startswith("history ") and " tester: Switched back from " in lines[2]
    assert lines[3].startswith("    switches.reason: ")
    assert done.err == "2 matches for “leak optimistic”\n"


def test_no_match_is_an_answer_not_an_error(run: Callable[..., Result]) -> None:
    done = run("search", "giraffe")
    assert (done.code, done.out, done.err) == (0, "", "no match for “giraffe”\n")
    data = json.loads(run("search", "giraffe", "--json").out)
    assert data == {"words": ["giraffe"], "total": 0, "listed": 0, "hits": []}


@pytest.mark.parametrize("args", [(), ("",), ("  ",)])
def test_search_without_words_is_bad_usage(run: Callable[..., Result], args: tuple[str]) -> None:
    assert_refused(run("search", *args), "search needs a word")


def test_limit_bounds_the_listing_and_says_so(run: Callable[..., Result]) -> None:
    done = run("search", "zebra", "--limit", "2")
    assert done.code == 0 and len(done.out.splitlines()) == 4
    assert done.err == "19 matches for “zebra”; the first 2 listed (add words, or --limit N)\n"
    assert_refused(run("search", "zebra", "--limit", "0"), "--limit 0")
    assert run("search", "zebra", "--limit", "x").code == 2


def test_json_lists_every_hit_with_where_it_opens(
    run: Callable[..., Result], project: Project
) -> None:
    data = json.loads(run("search", "Leak", "--json").out)
    assert data["words"] == ["Leak"] and data["total"] == data["listed"] == 4
    kinds = [(h["kind"], h["field"]) for h in data["hits"]]
    assert kinds == [
        ("experiment", "reason"),
        ("switch", "reason"),
        ("event", "summary"),  # a short reason is whole in the summary, which comes first
        ("event", "switches.reason"),
    ]
    first = data["hits"][0]
    assert first["open"] == {"mode": "experiments", "kind": "experiment", "id": first["id"]}
    assert first["at"] is None and first["by"] is None and first["replaced"] is False
    event = data["hits"][3]
    assert event["by"] == "tester" and event["at"] == "2026-03-02T10:00:00Z"


def test_hostile_text_is_shown_escaped_and_exact_in_json(
    store: Store, framework: Framework, ctx: Context, cli: Callable[..., Result]
) -> None:
    evil = "zebra \x1b]52;c;aGk=\x07 [bold]x[/] \u202eevil <script>"
    apply(store, framework, ctx, set_note, "business.objectives", evil)
    done = cli("search", "zebra")
    assert done.code == 0
    assert not RAW_CONTROL.search(done.out + done.err)
    assert "\\x1b]52;c;aGk=\\x07 [bold]x[/] U+202Eevil <script>" in done.out
    shown = cli("search", "zebra", "--json")
    assert not RAW_CONTROL.search(shown.out)
    assert json.loads(shown.out)["hits"][0]["snippet"] == " ".join(evil.split())


def test_search_never_writes_and_never_loads_textual(project: Project, tmp_path: Path) -> None:
    path = tmp_path / "mlpl.json"
    before = path.read_bytes()
    probe = (
        "import sys, contextlib, io; from mlpl_tui.cli import main\n"
        "with contextlib.redirect_stdout(io.StringIO()):\n"
        "    code = main(['search', '--file', sys.argv[1], 'zebra'])\n"
        "print(code, sorted(m for m in sys.modules if m.split('.')[0] in ('textual', 'screens')"
        " or m.startswith(('mlpl_tui.app', 'mlpl_tui.screens', 'mlpl_tui.widgets'))))"
    )
    done = subprocess.run(
        [sys.executable, "-c", probe, str(path)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.stdout.strip() == "0 []", done.stderr
    assert path.read_bytes() == before

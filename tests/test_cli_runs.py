"""The command line for runs as a user runs it: `runs` lists what the trackers hold and what is
linked, `--unlinked`, `--json`, `--link-tagged`; `runs refresh`; `experiment link` / `unlink`
and their refusals; undo; `experiment list` with runs and best metrics; hostile run and metric
names shown escaped. The trackers are stood in for by `find_runs` returning runs built here,
except in the last test, which reads the real MLflow store of tests/fixtures/trackers."""

from __future__ import annotations

import json
import math
import re
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import orjson
import pytest

from mlpl_tui import runs as runs_module
from mlpl_tui.runs import Run
from tests.conftest import ROOT, Result, assert_refused

Cli = Callable[..., Result]

# Terminal escapes (OSC 52 clipboard, colour), a bidi override, C1, a carriage return, a newline
# that could fake a row, markup, and enough length to flood a terminal.
EVIL = (
    "\x1b]52;c;aGFja2Vk\x1b\\ \x1b[31mred\x1b[0m \u202eevil \x9b2J \rback"
    "\nmlflow:fake  FINISHED  [bold]x[/bold]" + "A" * 10_000
)
RAW_CONTROL = re.compile(
    "[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]"
)
FIXTURES = ROOT / "tests" / "fixtures" / "trackers"


def run(
    id: str,
    *,
    tool: str = "mlflow",
    name: str = "",
    status: str = "FINISHED",
    metrics: dict[str, float] | None = None,
    params: dict[str, str] | None = None,
    tagged: str | None = None,
) -> Run:
    return Run(
        tool,
        id,
        name or f"run-{id}",
        status,
        "2026-03-01T09:00:00Z",
        "2026-03-01T09:30:00Z",
        params or {"lr": "0.1"},
        metrics if metrics is not None else {"accuracy": 0.9, "val_loss": 0.25},
        tagged,
        "mlflow.db" if tool == "mlflow" else ".",
    )


class Trackers:
    """What the trackers' stores hold, settable by a test: the runs, and which tools have a
    store here at all; records the source each read asked for."""

    def __init__(self) -> None:
        self.runs: list[Run] = []
        self.stores: tuple[str, ...] = runs_module.TOOLS
        self.calls: list[str] = []

    def read(self, root: Path, source: str = "auto", env: Any = None) -> runs_module.Found:
        assert root == Path.cwd()  # the project's folder, where mlpl.json is
        self.calls.append(source)
        tools = tuple(t for t in self.stores if source in ("auto", t))
        if source != "auto" and not tools:
            raise runs_module.TrackerError(f"no {source} store found")
        return runs_module.Found([r for r in self.runs if r.tool in tools], tools)

    def find(self, root: Path, source: str = "auto", env: Any = None) -> list[Run]:
        return self.read(root, source, env).runs


@pytest.fixture
def trackers(monkeypatch: pytest.MonkeyPatch) -> Iterator[Trackers]:
    found = Trackers()
    monkeypatch.setattr(runs_module, "find_runs", found.find)
    monkeypatch.setattr(runs_module, "read_stores", found.read)
    yield found


def ok(result: Result) -> Result:
    assert result.code == 0, result.out + result.err
    assert "Traceback" not in result.out + result.err
    return result


def project(cli: Cli, *titles: str) -> list[str]:
    """A new project with experiments; their ids."""
    ok(cli("init", "--name", "Runs"))
    return [ok(cli("experiment", "add", title)).out.strip() for title in titles]


def stored(path: str = "mlpl.json") -> dict[str, Any]:
    data: dict[str, Any] = orjson.loads(Path(path).read_bytes())
    return data


def assert_clean(*outputs: str) -> None:
    for output in outputs:
        assert not RAW_CONTROL.search(output), repr(output[:200])


# --- listing ----------------------------------------------------------------------------------


def test_runs_lists_each_run_with_its_metrics_and_experiment(cli: Cli, trackers: Trackers) -> None:
    (e,) = project(cli, "Boosting")
    trackers.runs = [
        run("3f2a01", metrics={"zeta": 1, "accuracy": 0.91234, "val_loss": 0.25, "beta": 2}),
        run("exp-1", tool="dvc", metrics={}),
    ]
    ok(cli("experiment", "link", e, "mlflow:3f2a"))
    listed = ok(cli("runs"))
    lines = listed.out.splitlines()
    assert lines[0].split() == ["REF", "NAME", "STATUS", "START", "END", "METRICS", "EXPERIMENT"]
    first = lines[1]
    assert first.startswith("mlflow:3f2a01") and "run-3f2a01" in first and "FINISHED" in first
    assert "2026-03-01 09:00" in first and "2026-03-01 09:30" in first  # local time (UTC here)
    # The first three metrics by name, as none is declared.
    assert re.search(r"accuracy=0\.9123\s+beta=2\s+val_loss=0\.25\s", first), first
    assert "zeta" not in first and first.endswith(e)
    assert lines[2].startswith("dvc:exp-1") and lines[2].endswith(" -")
    assert len(lines) == 3
    unlinked = ok(cli("runs", "--unlinked")).out.splitlines()
    assert [line.split()[0] for line in unlinked[1:]] == ["dvc:exp-1"]
    ok(cli("runs", "--source", "dvc"))
    assert trackers.calls[-1] == "dvc"


def test_declared_metrics_are_shown_first(cli: Cli, trackers: Trackers, tmp_path: Path) -> None:
    project(cli)
    text = (ROOT / "data" / "mlpl.yaml").read_text(encoding="utf-8")
    (tmp_path / "mlpl.yaml").write_text(
        text + "\nexperiment_metrics:\n  - val_loss\n  - {name: zeta, goal: max}\n",
        encoding="utf-8",
    )
    trackers.runs = [run("a1", metrics={"zeta": 1, "accuracy": 0.9, "val_loss": 0.25, "b": 2})]
    line = ok(cli("runs")).out.splitlines()[1]
    assert re.search(r"val_loss=0\.25\s+zeta=1\s+accuracy=0\.9\s", line), line


def test_runs_json_holds_every_field_and_nan_as_null(cli: Cli, trackers: Trackers) -> None:
    (e,) = project(cli, "Boosting")
    trackers.runs = [
        run("a1", metrics={"accuracy": math.nan, "loss": math.inf}, tagged=e),
        run("b2"),
    ]
    ok(cli("experiment", "link", e, "mlflow:b2"))
    rows = json.loads(ok(cli("runs", "--json")).out)
    assert rows[0] == {
        "ref": "mlflow:a1",
        "tool": "mlflow",
        "id": "a1",
        "name": "run-a1",
        "status": "FINISHED",
        "started_at": "2026-03-01T09:00:00Z",
        "ended_at": "2026-03-01T09:30:00Z",
        "params": {"lr": "0.1"},
        "metrics": {"accuracy": None, "loss": None},
        "tagged": e,
        "where": "mlflow.db",
        "experiment": None,
    }
    assert rows[1]["experiment"] == e
    assert json.loads(ok(cli("runs", "--json", "--unlinked")).out)[0]["ref"] == "mlflow:a1"


def test_nothing_found_says_where_it_looked(cli: Cli, trackers: Trackers) -> None:
    project(cli)
    assert "no runs found: looked for an MLflow store" in ok(cli("runs")).out
    assert "DVC experiments (refs/exps" in ok(cli("runs", "--source", "dvc")).out
    assert json.loads(ok(cli("runs", "--json")).out) == []
    assert cli("runs", "--source", "neptune").code == 2


def test_a_tracker_error_is_a_plain_refusal(cli: Cli, monkeypatch: pytest.MonkeyPatch) -> None:
    project(cli)

    def broken(root: Path, source: str = "auto", env: Any = None) -> list[Run]:
        raise runs_module.TrackerError("mlflow.db: database is locked; try again once the run ends")

    monkeypatch.setattr(runs_module, "find_runs", broken)
    monkeypatch.setattr(runs_module, "read_stores", broken)
    assert_refused(cli("runs"), "mlflow.db: database is locked")
    assert_refused(cli("runs", "refresh"), "database is locked")


# --- linking ----------------------------------------------------------------------------------


def test_link_reads_only_the_tools_named_and_refuses_unknown_runs(
    cli: Cli, trackers: Trackers
) -> None:
    e, f = project(cli, "Boosting", "Baseline")
    trackers.runs = [run("3f2a01"), run("3f2b02"), run("exp-1", tool="dvc")]
    linked = ok(cli("experiment", "link", e[:6], "mlflow:3f2a", "dvc:exp-1"))
    assert linked.out.strip() == e
    assert "Linked 2 runs (mlflow:3f2a01, dvc:exp-1) to experiment" in linked.err
    assert trackers.calls == ["mlflow", "dvc"]
    assert sorted(stored()["runs"]) == ["dvc:exp-1", "mlflow:3f2a01"]
    before = Path("mlpl.json").read_bytes()
    assert_refused(
        cli("experiment", "link", e, "mlflow:zzz"), "no run 'mlflow:zzz'", "'mlpl-tui runs'"
    )
    assert_refused(cli("experiment", "link", e, "mlflow:3f2"), "ambiguous")
    assert_refused(cli("experiment", "link", e, "3f2b02"), "write tool:id")
    assert_refused(cli("experiment", "link", "nope", "mlflow:3f2b02"), "no experiment")
    assert_refused(
        cli("experiment", "link", f, "mlflow:3f2a01"),
        f"linked to experiment {e} (Boosting)",
        "--move",
        code=1,
    )
    assert Path("mlpl.json").read_bytes() == before
    again = ok(cli("experiment", "link", e, "mlflow:3f2a01"))
    assert "nothing to change" in again.err
    ok(cli("experiment", "link", f, "mlflow:3f2a01", "--move"))
    assert stored()["runs"]["mlflow:3f2a01"]["experiment"] == f


def test_abandoned_and_kept_experiments_take_runs(cli: Cli, trackers: Trackers) -> None:
    e, f = project(cli, "Boosting", "Baseline")
    ok(cli("experiment", "abandon", e, "--reason", "slower, no better"))
    ok(cli("experiment", "keep", f))
    trackers.runs = [run("a1"), run("b2")]
    ok(cli("experiment", "link", e, "mlflow:a1"))
    ok(cli("experiment", "link", f, "mlflow:b2"))
    assert {k: v["experiment"] for k, v in stored()["runs"].items()} == {
        "mlflow:a1": e,
        "mlflow:b2": f,
    }


def test_unlink_and_undo(cli: Cli, trackers: Trackers) -> None:
    (e,) = project(cli, "Boosting")
    trackers.runs = [run("a1"), run("b2")]
    ok(cli("experiment", "link", e, "mlflow:a1", "mlflow:b2"))
    assert "Undo of 'Linked 2 runs" in ok(cli("undo")).err
    assert stored()["runs"] == {}
    ok(cli("redo"))
    assert sorted(stored()["runs"]) == ["mlflow:a1", "mlflow:b2"]
    unlinked = ok(cli("experiment", "unlink", e, "a1"))
    assert "Unlinked 1 run (mlflow:a1) from experiment" in unlinked.err
    assert sorted(stored()["runs"]) == ["mlflow:b2"]
    assert_refused(cli("experiment", "unlink", e, "mlflow:a1"), "is not linked to experiment")
    ok(cli("undo"))
    assert sorted(stored()["runs"]) == ["mlflow:a1", "mlflow:b2"]


def test_link_tagged_links_in_one_change_and_says_how_many(cli: Cli, trackers: Trackers) -> None:
    e, f = project(cli, "Boosting", "Baseline")
    trackers.runs = [
        run("a1", tagged=e),
        run("b2", tagged=f),
        run("c3", tool="dvc", tagged=f),
        run("d4", tagged="no-such-experiment"),
        run("e5"),
    ]
    events = len(stored()["events"])
    done = ok(cli("runs", "--link-tagged"))
    assert done.out.strip() == "3 tagged runs linked"
    assert "Linked 3 tagged runs to 2 experiments" in done.err
    assert "1 run tagged with an experiment this project does not have (no-such-experiment)" in (
        done.err
    )
    assert len(stored()["events"]) == events + 1
    assert {k: v["experiment"] for k, v in stored()["runs"].items()} == {
        "mlflow:a1": e,
        "mlflow:b2": f,
        "dvc:c3": f,
    }
    again = ok(cli("runs", "--link-tagged"))
    assert again.out.strip() == "no tagged run to link" and "nothing to change" in again.err


# --- refresh ----------------------------------------------------------------------------------


def test_refresh_updates_marks_gone_and_brings_back(cli: Cli, trackers: Trackers) -> None:
    (e,) = project(cli, "Boosting")
    trackers.runs = [run("a1", status="RUNNING"), run("d1", tool="dvc")]
    ok(cli("experiment", "link", e, "mlflow:a1", "dvc:d1"))
    assert "nothing to change" in ok(cli("runs", "refresh")).err
    trackers.runs = [run("a1", metrics={"accuracy": 0.95}), run("d1", tool="dvc")]
    assert "1 run updated" in ok(cli("runs", "refresh")).err
    record = stored()["runs"]["mlflow:a1"]
    assert (record["status"], record["metrics"]) == ("FINISHED", {"accuracy": 0.95})
    # The run is deleted from its store: gone, its snapshot kept. The DVC run is not looked
    # for when only MLflow is read.
    trackers.runs = []
    assert "1 run gone" in ok(cli("runs", "refresh", "--source", "mlflow")).err
    assert trackers.calls[-1] == "mlflow"
    record = stored()["runs"]["mlflow:a1"]
    assert (record["gone"], record["metrics"]) == (True, {"accuracy": 0.95})
    assert stored()["runs"]["dvc:d1"]["gone"] is False
    listed = ok(cli("runs", "--source", "mlflow")).out
    assert "1 linked run not found in the stores read" in listed
    rows = json.loads(ok(cli("experiment", "list", "--json")).out)
    assert [(r["ref"], r["gone"]) for r in rows[0]["runs"]] == [
        ("dvc:d1", False),
        ("mlflow:a1", True),
    ]
    assert rows[0]["best_metrics"] == {"accuracy": 0.95, "val_loss": 0.25}
    trackers.runs = [run("a1", metrics={"accuracy": 0.95}), run("d1", tool="dvc")]
    assert "1 run back" in ok(cli("runs", "refresh")).err
    assert stored()["runs"]["mlflow:a1"]["gone"] is False


def test_a_store_that_is_not_here_leaves_its_snapshots_alone(cli: Cli, trackers: Trackers) -> None:
    (e,) = project(cli, "Boosting")
    trackers.runs = [run("a1"), run("d1", tool="dvc")]
    ok(cli("experiment", "link", e, "mlflow:a1", "dvc:d1"))
    before = stored()["runs"]
    # A fresh clone: mlflow.db is not committed, so there is no MLflow store to read.
    trackers.stores, trackers.runs = ("dvc",), [run("d1", tool="dvc")]
    assert "nothing to change" in ok(cli("runs", "refresh")).err
    assert stored()["runs"] == before
    assert "not found in the stores read" not in ok(cli("runs")).out
    assert_refused(cli("runs", "refresh", "--source", "mlflow"), "no mlflow store found")
    assert_refused(cli("experiment", "link", e, "mlflow:b2"), "no mlflow store found")
    assert json.loads(ok(cli("experiment", "list", "--json")).out)[0]["best_metrics"] == {
        "accuracy": 0.9,
        "val_loss": 0.25,
    }


# --- experiment list --------------------------------------------------------------------------


def test_experiment_list_shows_runs_and_best_metrics(cli: Cli, trackers: Trackers) -> None:
    e, f = project(cli, "Boosting", "Baseline")
    trackers.runs = [
        run("a1", metrics={"accuracy": 0.8, "val_loss": 0.3}),
        run("b2", metrics={"accuracy": 0.9, "val_loss": 0.4}, params={"depth": "6"}),
    ]
    ok(cli("experiment", "link", e, "mlflow:a1", "mlflow:b2"))
    text = ok(cli("experiment", "list")).out
    assert "    runs: mlflow:a1, mlflow:b2; best accuracy=0.9 val_loss=0.3" in text
    rows = {r["id"]: r for r in json.loads(ok(cli("experiment", "list", "--json")).out)}
    assert rows[f]["runs"] == [] and rows[f]["best_metrics"] == {}
    assert rows[e]["best_metrics"] == {"accuracy": 0.9, "val_loss": 0.3}
    second = rows[e]["runs"][1]
    assert second["ref"] == "mlflow:b2" and second["params"] == {"depth": "6"}
    assert set(second) >= {"tool", "run_id", "name", "status", "metrics", "captured_at", "gone"}


# --- hostile names ----------------------------------------------------------------------------


def test_hostile_run_and_metric_names_are_shown_escaped_and_exact_in_json(
    cli: Cli, trackers: Trackers
) -> None:
    (e,) = project(cli, "Boosting")
    trackers.runs = [
        run(
            "a1",
            name=EVIL,
            status="FIN\x1b[2JISHED",
            metrics={EVIL: 1.0, "ok": 2.0},
            params={EVIL: EVIL},
            tagged=e,
        )
    ]
    ok(cli("runs", "--link-tagged"))
    listed = ok(cli("runs"))
    assert_clean(listed.out, listed.err)
    lines = listed.out.splitlines()
    assert len(lines) == 2  # the newline in the name and in the metric name made no row
    assert "\\x1b]52" in lines[1] and "[bold]" not in lines[1][:40]
    assert len(lines[1]) < 300  # 10,000 characters cut to their column
    rows = json.loads(ok(cli("runs", "--json")).out)
    assert rows[0]["name"] == EVIL and rows[0]["metrics"][EVIL] == 1.0
    assert rows[0]["params"] == {EVIL: EVIL}
    raw_json = ok(cli("runs", "--json")).out
    assert_clean(raw_json)
    text = ok(cli("experiment", "list"))
    assert_clean(text.out, text.err)
    assert len([x for x in text.out.splitlines() if x.startswith("    runs:")]) == 1
    listed_json = ok(cli("experiment", "list", "--json")).out
    assert_clean(listed_json)
    (snapshot,) = json.loads(listed_json)[0]["runs"]
    assert snapshot["name"] == EVIL[:999] + "…"  # a snapshot keeps 1,000 characters of a name
    assert list(snapshot["metrics"]) == [EVIL[:249] + "…", "ok"]
    for args in (("runs", "refresh"), ("experiment", "unlink", e, "mlflow:a1"), ("undo",)):
        result = ok(cli(*args))
        assert_clean(result.out, result.err)


# --- validate ---------------------------------------------------------------------------------


def test_validate_warns_of_a_run_linked_to_a_missing_experiment(
    cli: Cli, trackers: Trackers
) -> None:
    (e,) = project(cli, "Boosting")
    trackers.runs = [run("a1")]
    ok(cli("experiment", "link", e, "mlflow:a1"))
    data = stored()
    data["runs"]["mlflow:a1"]["experiment"] = "gone-experiment"
    Path("mlpl.json").write_bytes(
        orjson.dumps(data, option=orjson.OPT_INDENT_2 | orjson.OPT_SORT_KEYS) + b"\n"
    )
    result = ok(cli("validate"))
    assert "warning: run 'mlflow:a1' is linked to experiment 'gone-experiment'" in result.out
    assert "mlpl.json: valid" in result.out
    ok(cli("experiment", "unlink", "gone-experiment", "mlflow:a1"))
    assert "warning" not in ok(cli("validate")).out


# --- the real MLflow store ----------------------------------------------------------------------


def _fixture_store() -> Path | None:
    for name in ("mlflow.db", "mlflow-sqlite/mlflow.db", "sqlite/mlflow.db"):
        if (FIXTURES / name).is_file():
            return FIXTURES / name
    found = sorted(FIXTURES.rglob("mlflow.db")) if FIXTURES.is_dir() else []
    return found[0] if found else None


@pytest.mark.skipif(_fixture_store() is None, reason="tests/fixtures/trackers has no mlflow.db")
def test_runs_from_the_real_mlflow_sqlite_fixture_are_listed_and_linked(
    cli: Cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    store = _fixture_store()
    assert store is not None
    monkeypatch.delenv("MLFLOW_TRACKING_URI", raising=False)
    (e,) = project(cli, "Boosting")
    shutil.copy(store, tmp_path / "mlflow.db")
    rows = json.loads(ok(cli("runs", "--json", "--source", "mlflow")).out)
    assert rows and all(r["tool"] == "mlflow" and r["experiment"] is None for r in rows)
    assert ok(cli("runs", "--source", "mlflow")).out.splitlines()[0].startswith("REF")
    first = rows[0]["ref"]
    ok(cli("experiment", "link", e, first))
    link = stored()["runs"][first]
    assert (link["experiment"], link["tool"], link["run_id"]) == (e, "mlflow", rows[0]["id"])
    assert link["name"] == rows[0]["name"] and link["status"] == rows[0]["status"]
    listed = ok(cli("runs", "--source", "mlflow")).out
    assert any(line.startswith(first) and line.endswith(e) for line in listed.splitlines())
    (tmp_path / "mlflow.db").unlink()  # the store is not committed: the snapshot stays
    assert "nothing to change" in ok(cli("runs", "refresh")).err
    again = json.loads(ok(cli("experiment", "list", "--json")).out)[0]["runs"]
    assert [(r["ref"], r["metrics"], r["gone"]) for r in again] == [(first, link["metrics"], False)]

"""Shared fixtures: the built-in framework, a clock-fixed context, projects on tmp_path, the CLI."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from hypothesis import settings
from textual.app import App
from textual.pilot import Pilot

from mlpl_tui.cli import main
from mlpl_tui.framework import Framework, builtin_framework_path, load_framework
from mlpl_tui.lifecycle import Context, new_project
from mlpl_tui.model import Change, Project
from mlpl_tui.store import Store
from tests import pilot_wait

ROOT = Path(__file__).resolve().parent.parent

# Property tests run the same examples on every run by default (CI must not flake); set
# HYPOTHESIS_PROFILE=explore to search ten times as many fresh ones.
settings.register_profile("ci", max_examples=100, derandomize=True, deadline=None)
settings.register_profile("explore", max_examples=1000, deadline=None)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))


@pytest.fixture(autouse=True)
def utc_clock(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Every test reads times in UTC unless it sets another zone: results never depend on the
    machine's time zone."""
    monkeypatch.setenv("TZ", "UTC")
    time.tzset()
    yield
    monkeypatch.undo()
    time.tzset()


@pytest.fixture(autouse=True)
def pilot_waits_on_the_app(monkeypatch: pytest.MonkeyPatch) -> None:
    """Pilot.press and Pilot.pause() wait until the app has handled what it was sent, not until
    the process looks idle (tests/pilot_wait.py says why): faster, and the same on a busy machine.
    """
    monkeypatch.setattr(App, "_press_keys", pilot_wait.press_keys)
    monkeypatch.setattr(Pilot, "pause", pilot_wait.pause)


@pytest.fixture(scope="session")
def framework() -> Framework:
    return load_framework(builtin_framework_path())


def fixed_ids(prefix: str = "id") -> Callable[[], str]:
    """Deterministic ids: id0001, id0002, ..."""
    counter = iter(range(1, 10**9))
    return lambda: f"{prefix}{next(counter):04d}"


@pytest.fixture
def ctx() -> Context:
    return Context("tester", "2026-03-02T10:00:00Z", make_id=fixed_ids())


@pytest.fixture
def store(tmp_path: Path, ctx: Context) -> Store:
    """A new project on tmp_path/mlpl.json."""
    return Store.create(tmp_path / "mlpl.json", new_project("Test project", ctx))


def apply(
    store: Store,
    framework: Framework,
    ctx: Context,
    rule: Callable[..., Change],
    *args: object,
    **kw: object,
) -> Project:
    """Apply one lifecycle rule through the store and return the new snapshot."""
    store.apply(lambda p: rule(p, framework, ctx, *args, **kw), ctx.who, ctx.now)
    return store.load()


@dataclass
class Result:
    code: int
    out: str
    err: str


@pytest.fixture
def cli(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> Callable[..., Result]:
    """Run the CLI in-process in tmp_path as user 'tester'."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("MLPL_USER", "tester")
    monkeypatch.delenv("MLPL_FILE", raising=False)

    def run(*args: str) -> Result:
        capsys.readouterr()
        try:
            code = main(list(args))
        except SystemExit as exc:  # argparse usage errors and --help
            code = int(exc.code or 0)
        captured = capsys.readouterr()
        return Result(code, captured.out, captured.err)

    return run


def assert_refused(result: Result, *names: str, code: int = 2) -> None:
    """Refused with `code`, in one or two plain lines naming each of `names`, no traceback."""
    output = result.out + result.err
    assert result.code == code, output
    assert "Traceback" not in output
    lines = result.err.strip().splitlines()
    assert 1 <= len(lines) <= 2, result.err
    for name in names:
        assert name in result.err, result.err


def required_in_ci(missing: str | None) -> None:
    """A tool some tests need and `.ci/run` installs (chromium, Mermaid): missing in CI
    (`CI` set), the module fails instead of being skipped, so a green run has run them."""
    if missing and os.environ.get("CI"):
        pytest.fail(f"CI runs these tests, but {missing}", pytrace=False)


def run_process(
    *args: str, cwd: Path, env: dict[str, str] | None = None, timeout: float = 60
) -> Result:
    """Run `python -m mlpl_tui ARGS` as a separate process, as a user would."""
    environment = {**os.environ, "MLPL_USER": "tester", **(env or {})}
    environment.pop("MLPL_FILE", None) if env is None or "MLPL_FILE" not in env else None
    done = subprocess.run(
        [sys.executable, "-m", "mlpl_tui", *args],
        cwd=cwd,
        env=environment,
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    return Result(done.returncode, done.stdout, done.stderr)


# --- git, for the tests that merge with real repositories -----------------------------------


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    """git with no user or system configuration but ours, and a fixed identity."""
    home = tmp_path / "home"
    home.mkdir()
    return {
        "HOME": str(home),
        "GIT_CONFIG_NOSYSTEM": "1",
        "GIT_AUTHOR_NAME": "Team",
        "GIT_AUTHOR_EMAIL": "team@example.com",
        "GIT_COMMITTER_NAME": "Team",
        "GIT_COMMITTER_EMAIL": "team@example.com",
    }


def git(env: dict[str, str], cwd: Path, *args: str, ok: bool = True) -> Result:
    """git in `cwd` with the `env` fixture's configuration; asserts success unless not `ok`."""
    done = subprocess.run(
        ["git", *args],
        cwd=cwd,
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        timeout=60,
    )
    if ok:
        assert done.returncode == 0, f"git {' '.join(args)}:\n{done.stdout}{done.stderr}"
    return Result(done.returncode, done.stdout, done.stderr)

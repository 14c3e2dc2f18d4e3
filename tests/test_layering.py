"""Layering: headless commands never import Textual or the screens; only the store uses TinyDB."""

from __future__ import annotations

import ast
import json
import os
import subprocess
import sys
from pathlib import Path

from mlpl_tui.lifecycle import Context, new_project
from mlpl_tui.store import Store
from tests.conftest import ROOT

CORE = (
    "mlpl_tui.cli",
    "mlpl_tui.store",
    "mlpl_tui.lifecycle",
    "mlpl_tui.framework",
    "mlpl_tui.progress",
    "mlpl_tui.integrity",
)

PROBE = """
import importlib, json, os, sys
for name in {core!r}:
    importlib.import_module(name)
from mlpl_tui.cli import main

os.chdir({folder!r})
codes = [main(argv) for argv in {commands!r}]
loaded = sorted(
    name for name in sys.modules
    if name.split(".")[0] in ("textual", "screens") or name.startswith("mlpl_tui.app")
)
print(json.dumps({{"codes": codes, "loaded": loaded}}))
"""


def test_core_modules_and_commands_never_import_textual_or_screens(tmp_path: Path) -> None:
    Store.create(
        tmp_path / "mlpl.json", new_project("Layers", Context("t", "2026-03-02T10:00:00Z"))
    )
    commands = [
        ["status"],
        ["status", "--json"],
        ["set", "business.objectives", "done"],
        ["log", "30m"],
        ["validate"],
    ]
    script = PROBE.format(core=CORE, folder=str(tmp_path), commands=commands)
    existing = os.environ.get("PYTHONPATH")
    env = {
        **os.environ,
        "MLPL_USER": "tester",
        "PYTHONPATH": str(ROOT) if not existing else f"{ROOT}{os.pathsep}{existing}",
    }
    env.pop("MLPL_FILE", None)
    done = subprocess.run(
        [sys.executable, "-c", script],
        capture_output=True,
        text=True,
        env=env,
        cwd=tmp_path,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout.strip().splitlines()[-1])
    assert report["codes"] == [0] * len(commands), done.stderr
    assert report["loaded"] == []


def imported_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
        elif (
            isinstance(node, ast.Call)
            and isinstance(node.func, (ast.Name, ast.Attribute))
            and getattr(node.func, "attr", getattr(node.func, "id", ""))
            in (
                "import_module",
                "__import__",
            )
            and node.args
            and isinstance(node.args[0], ast.Constant)
            and isinstance(node.args[0].value, str)
        ):
            names.add(node.args[0].value)
    return names


def test_only_the_store_imports_tinydb() -> None:
    sources = [
        path
        for folder in ("mlpl_tui", "screens")
        if (ROOT / folder).is_dir()
        for path in sorted((ROOT / folder).rglob("*.py"))
    ]
    assert ROOT / "mlpl_tui" / "store.py" in sources
    importers = {
        path.relative_to(ROOT).as_posix()
        for path in sources
        if any(name.split(".")[0] == "tinydb" for name in imported_modules(path))
    }
    assert importers == {"mlpl_tui/store.py"}


def test_core_modules_never_import_textual_or_screens_in_their_source() -> None:
    """Even a lazy import inside a function of a core module would reach Textual one day.

    The CLI is left out: as the composition root it may import the app lazily to open the TUI.
    """
    core = [name for name in CORE if name != "mlpl_tui.cli"]
    for name in (*core, "mlpl_tui.model", "mlpl_tui.errors"):
        path = ROOT / Path(*name.split(".")).with_suffix(".py")
        bad = {
            module
            for module in imported_modules(path)
            if module.split(".")[0] in ("textual", "screens")
        }
        assert not bad, f"{path.name} imports {sorted(bad)}"

"""Layering over the whole tree: core never reaches Textual or the UI, screens never touch the
store, widgets never know the screens, only the store uses TinyDB.

Every file is read with `ast` (a lazy import inside a function counts too), and the headless
commands run in a subprocess that must not load Textual at all.
"""

from __future__ import annotations

import ast
import json
import os
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from mlpl_tui.lifecycle import Context, new_project
from mlpl_tui.store import Store
from tests.conftest import ROOT

UI = ("textual", "mlpl_tui.screens", "mlpl_tui.widgets", "mlpl_tui.app", "screens")


@dataclass(frozen=True)
class Import:
    """One module a source file imports, and whether only inside a function (lazily)."""

    module: str
    lazy: bool


@dataclass(frozen=True)
class Source:
    """A Python file of the tree and the dotted name it is imported by."""

    path: Path
    module: str

    @property
    def name(self) -> str:
        return self.path.relative_to(ROOT).as_posix()

    def imports(self) -> list[Import]:
        return list(_imports(self.path, self.module))


def _imports(path: Path, module: str) -> Iterator[Import]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    lazy_nodes = {
        id(inner)
        for node in ast.walk(tree)
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef))
        for inner in ast.walk(node)
    }
    for node in ast.walk(tree):
        lazy = id(node) in lazy_nodes
        if isinstance(node, ast.Import):
            yield from (Import(alias.name, lazy) for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:  # relative: from the file's package upwards
                parent = package.rsplit(".", node.level - 1)[0] if node.level > 1 else package
                base = f"{parent}.{base}" if base else parent
            yield Import(base, lazy)
            # `from mlpl_tui import app` imports the module mlpl_tui.app.
            yield from (Import(f"{base}.{alias.name}", lazy) for alias in node.names)
        elif (
            isinstance(node, ast.Call)
            and getattr(node.func, "attr", getattr(node.func, "id", ""))
            in ("import_module", "__import__")
            and node.args
            and isinstance(node.args[0], ast.Constant)
            and isinstance(node.args[0].value, str)
        ):
            yield Import(node.args[0].value, lazy)


def sources(folder: str, package: str) -> list[Source]:
    """Every .py file below `folder`, not following links (mlpl_tui/screens is one)."""
    found = []
    for root, dirs, files in os.walk(ROOT / folder):
        dirs[:] = sorted(d for d in dirs if not (Path(root) / d).is_symlink())
        for file in sorted(files):
            if file.endswith(".py"):
                path = Path(root) / file
                parts = path.relative_to(ROOT / folder).with_suffix("").parts
                if parts[-1] == "__init__":
                    parts = parts[:-1]
                found.append(Source(path, ".".join((package, *parts))))
    return found


# The modules directly in mlpl_tui/ but the app: the widgets and screens are subpackages.
CORE = [
    s
    for s in sources("mlpl_tui", "mlpl_tui")
    if s.path.parent == ROOT / "mlpl_tui" and s.module != "mlpl_tui.app"
]
SCREENS = sources("screens", "mlpl_tui.screens")
WIDGETS = sources("mlpl_tui/widgets", "mlpl_tui.widgets")
ALL = [*sources("mlpl_tui", "mlpl_tui"), *SCREENS]


def within(module: str, prefixes: tuple[str, ...]) -> bool:
    return any(module == p or module.startswith(p + ".") for p in prefixes)


def test_the_layers_are_found() -> None:
    """The walk sees every layer (a test over no files would pass whatever the code does)."""
    assert {"mlpl_tui.cli", "mlpl_tui.store", "mlpl_tui.model"} <= {s.module for s in CORE}
    assert not {"mlpl_tui.app", "mlpl_tui.widgets"} & {s.module for s in CORE}
    assert {
        "mlpl_tui.screens",
        "mlpl_tui.screens.base",
        "mlpl_tui.screens.stage",
        "mlpl_tui.screens.modals",
        "mlpl_tui.screens.modals.loop_back",
    } <= {s.module for s in SCREENS}
    assert {"mlpl_tui.widgets.module_list", "mlpl_tui.widgets.record_list"} <= {
        s.module for s in WIDGETS
    }


def test_every_kind_of_import_is_seen(tmp_path: Path) -> None:
    path = tmp_path / "probe.py"
    path.write_text(
        "import textual.app\n"
        "from ..store import Store\n"
        "from . import text\n"
        "def later():\n"
        "    from mlpl_tui import app\n"
        "    importlib.import_module('screens.stage')\n",
        encoding="utf-8",
    )
    found = set(_imports(path, "mlpl_tui.widgets.probe"))
    assert {
        Import("textual.app", False),
        Import("mlpl_tui.store.Store", False),
        Import("mlpl_tui.widgets.text", False),
        Import("mlpl_tui.app", True),
        Import("screens.stage", True),
    } <= found


@pytest.mark.parametrize("source", CORE, ids=lambda s: s.name)
def test_core_never_imports_textual_or_the_ui(source: Source) -> None:
    """Core is the CLI's and the reports' world: no Textual, no screens, no widgets.

    The CLI (and `demo`, a command of it) is the composition root: it may open the app, but
    only lazily, inside the function that opens it, so headless commands stay fast.
    """
    bad = set()
    for imported in source.imports():
        if imported.module == "mlpl_tui.app":
            opener = source.module in ("mlpl_tui.cli", "mlpl_tui.demo")
            if not (opener and imported.lazy):
                bad.add(imported.module)
        elif within(imported.module, UI):
            bad.add(imported.module)
    assert not bad, f"{source.name} imports {sorted(bad)}"


@pytest.mark.parametrize("source", SCREENS, ids=lambda s: s.name)
def test_screens_never_import_the_store_or_the_app(source: Source) -> None:
    """Screens read snapshots and act through the Host contract (screens/base.py)."""
    forbidden = ("mlpl_tui.store", "tinydb", "mlpl_tui.app", "mlpl_tui.cli")
    bad = {i.module for i in source.imports() if within(i.module, forbidden)}
    assert not bad, f"{source.name} imports {sorted(bad)}"


@pytest.mark.parametrize("source", WIDGETS, ids=lambda s: s.name)
def test_widgets_never_import_screens_or_the_store(source: Source) -> None:
    """Attributes down, messages up: a widget draws what it is given."""
    forbidden = ("mlpl_tui.screens", "screens", "mlpl_tui.store", "tinydb", "mlpl_tui.app")
    bad = {i.module for i in source.imports() if within(i.module, forbidden)}
    assert not bad, f"{source.name} imports {sorted(bad)}"


def test_only_the_store_imports_tinydb() -> None:
    importers = {s.name for s in ALL if any(within(i.module, ("tinydb",)) for i in s.imports())}
    assert importers == {"mlpl_tui/store.py"}


def test_the_screens_are_imported_only_as_mlpl_tui_screens() -> None:
    """A top-level `screens` import would load every class twice (screens/__init__.py)."""
    tree = [
        *ALL,
        *sources("tests", "tests"),
        *sources("bench", "bench"),
    ]
    bad = {s.name for s in tree if any(within(i.module, ("screens",)) for i in s.imports())}
    assert not bad


PROBE = """
import importlib, json, os, sys
for name in {core!r}:
    importlib.import_module(name)
from mlpl_tui.cli import main

os.chdir({folder!r})
codes = [main(argv) for argv in {commands!r}]
loaded = sorted(
    name for name in sys.modules
    if name.split(".")[0] in ("textual", "screens")
    or name.startswith(("mlpl_tui.app", "mlpl_tui.screens", "mlpl_tui.widgets"))
)
print(json.dumps({{"codes": codes, "loaded": loaded}}))
"""


def test_core_modules_and_commands_never_load_textual_or_screens(tmp_path: Path) -> None:
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
    # Every core module (`__main__` runs the CLI when imported, so it is left out).
    core = [s.module for s in CORE if s.module != "mlpl_tui.__main__"]
    assert len(core) > 10
    script = PROBE.format(core=core, folder=str(tmp_path), commands=commands)
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

"""A real wheel: built from this checkout, installed into a fresh venv, run with its bundled data.

The wheel must install the one package `mlpl_tui`: the repository's top-level `screens/` folder
becomes `mlpl_tui.screens` at build time, and development scripts stay out.
"""

from __future__ import annotations

import importlib.util
import json
import os
import subprocess
import sys
import sysconfig
import zipfile
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def run(*args: str | Path, cwd: Path, env: dict[str, str] | None = None) -> str:
    done = subprocess.run(
        [str(a) for a in args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, f"{args}\n{done.stdout}\n{done.stderr}"
    assert "Traceback" not in done.stdout + done.stderr
    return done.stdout


@dataclass(frozen=True)
class Installed:
    """The wheel's file names and a fresh venv it is installed in."""

    names: frozenset[str]
    venv: Path

    @property
    def python(self) -> Path:
        return self.venv / "bin" / "python"

    @property
    def script(self) -> Path:
        return self.venv / "bin" / "mlpl-tui"

    @property
    def package(self) -> Path:
        (site,) = self.venv.glob("lib/python*/site-packages")
        return site / "mlpl_tui"


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Installed:
    """The wheel in a venv of its own; its dependencies come from the test venv (no network)."""
    base = tmp_path_factory.mktemp("packaging")
    dist, venv = base / "dist", base / "venv"
    build: list[str | Path] = [sys.executable, "-m", "pip", "wheel", "--no-deps", "-q"]
    build += ["-w", dist, ROOT]
    if importlib.util.find_spec("hatchling") is not None:
        build.insert(4, "--no-build-isolation")  # offline when the backend is at hand
    run(*build, cwd=base)
    (wheel,) = dist.glob("mlpl_tui-*.whl")
    with zipfile.ZipFile(wheel) as archive:
        names = frozenset(archive.namelist())
    run(sys.executable, "-m", "venv", "--without-pip", venv, cwd=base)
    (site,) = venv.glob("lib/python*/site-packages")
    # After the venv's own site-packages: the test venv's, for textual, tinydb and the rest.
    # Its editable-install link to this checkout is a .pth file there, which a path named in a
    # .pth file does not run, so the checkout stays out of reach.
    (site / "dependencies.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    pip: list[str | Path] = [sys.executable, "-m", "pip", "--python", venv / "bin" / "python"]
    pip += ["install", "-q"]
    run(*pip, "--no-deps", "--no-index", wheel, cwd=base)
    return Installed(names, venv)


def installed_env() -> dict[str, str]:
    env = {**os.environ, "MLPL_USER": "packager"}
    for name in ("MLPL_FILE", "PYTHONPATH", "VIRTUAL_ENV"):
        env.pop(name, None)
    return env


def test_the_wheel_holds_only_the_mlpl_tui_package(installed: Installed) -> None:
    names = installed.names
    tops = {name.split("/", 1)[0] for name in names}
    assert {t for t in tops if not t.endswith(".dist-info")} == {"mlpl_tui"}
    assert not any(name.endswith("make_demo.py") for name in names)
    assert {"mlpl_tui/data/mlpl.yaml", "mlpl_tui/data/demo/mlpl.json"} <= names
    shipped = {
        f"mlpl_tui/{path.relative_to(ROOT).as_posix()}"
        for folder in ("data/templates", "data/demo/docs")
        for path in (ROOT / folder).glob("*.md")
    }
    assert len(shipped) >= 4, "the document templates and the demo's documents ship"
    # The demo's MLflow file store, every file of it.
    shipped |= {
        f"mlpl_tui/{path.relative_to(ROOT).as_posix()}"
        for path in (ROOT / "data/demo/mlruns").rglob("*")
        if path.is_file()
    }
    assert any(name.endswith("/meta.yaml") for name in shipped)
    assert {n for n in names if n.startswith("mlpl_tui/data/")} == {
        "mlpl_tui/data/mlpl.yaml",
        "mlpl_tui/data/demo/mlpl.json",
        *shipped,
    }
    entry_points = next(n for n in names if n.endswith(".dist-info/entry_points.txt"))
    assert "mlpl_tui/cli.py" in names and entry_points
    # Every screen, dialog and stylesheet of the checkout's screens/, and only those.
    screens = {
        path.relative_to(ROOT).as_posix()
        for path in (ROOT / "screens").rglob("*")
        if path.suffix in (".py", ".tcss") and "__pycache__" not in path.parts
    }
    assert {f"mlpl_tui/{name}" for name in screens} == {
        n for n in names if n.startswith("mlpl_tui/screens/")
    }
    assert "mlpl_tui/screens/modals/form.tcss" in names


def test_every_screen_module_imports_from_the_installed_package(
    installed: Installed, tmp_path: Path
) -> None:
    modules = sorted(
        name.removesuffix(".py").removesuffix("/__init__").replace("/", ".")
        for name in installed.names
        if name.startswith(("mlpl_tui/screens/", "mlpl_tui/widgets/")) and name.endswith(".py")
    )
    assert "mlpl_tui.screens.modals.loop_back" in modules
    probe = (
        "import importlib, json, sys\n"
        "files = [importlib.import_module(m).__file__ for m in sys.argv[1:]]\n"
        "try:\n"
        "    import screens\n"
        "except ImportError:\n"
        "    top = None\n"
        "else:\n"
        "    top = screens.__file__\n"
        "print(json.dumps({'files': files, 'top': top}))\n"
    )
    # -I: isolated, so neither the current folder nor PYTHON* variables can supply a module.
    out = run(installed.python, "-I", "-c", probe, *modules, cwd=tmp_path, env=installed_env())
    report = json.loads(out)
    assert report["top"] is None  # no top-level `screens` package is installed
    package = installed.package.resolve()
    assert all(Path(f).resolve().is_relative_to(package) for f in report["files"]), report


def test_the_installed_app_draws_every_screen_with_its_stylesheet(
    installed: Installed, tmp_path: Path
) -> None:
    """Each main screen composes from the wheel: a .tcss left behind would fail here."""
    copy = tmp_path / "demo" / "mlpl.json"
    probe = (
        "import asyncio, sys\n"
        "from pathlib import Path\n"
        "from mlpl_tui.app import MODES, MlplApp\n"
        "from mlpl_tui.demo import copy_demo\n"
        "from mlpl_tui.framework import builtin_framework_path, load_framework\n"
        "from mlpl_tui.lifecycle import Context\n"
        "from mlpl_tui.store import Store\n"
        "async def main() -> None:\n"
        "    store = Store(copy_demo(Path(sys.argv[1])))\n"
        "    framework = load_framework(builtin_framework_path())\n"
        "    app = MlplApp(store, framework, lambda: Context('p', '2026-03-02T10:00:00Z'))\n"
        "    async with app.run_test(size=(80, 24)) as pilot:\n"
        "        for mode in MODES:\n"
        "            await app.switch_mode(mode)\n"
        "            await pilot.pause()\n"
        "            print(mode, type(app.screen).__module__)\n"
        "        app.action_loop_back()\n"
        "        await pilot.pause()\n"
        "        print('dialog', type(app.screen).__module__)\n"
        "asyncio.run(main())\n"
    )
    out = run(installed.python, "-I", "-c", probe, copy.parent, cwd=tmp_path, env=installed_env())
    shown = dict(line.split() for line in out.splitlines())
    assert shown["dashboard"] == "mlpl_tui.screens.dashboard"
    assert shown["stage-modelling"] == "mlpl_tui.screens.stage"
    assert shown["conflicts"] == "mlpl_tui.screens.conflicts"
    assert shown["dialog"] == "mlpl_tui.screens.modals.loop_back"
    assert len(shown) == 13  # eight screens, four stages, one dialog


def test_the_installed_package_uses_its_own_bundled_data(
    installed: Installed, tmp_path: Path
) -> None:
    probe = (
        "import json, mlpl_tui, mlpl_tui.framework as f;"
        "print(json.dumps([mlpl_tui.__file__, str(f.data_dir()), str(f.builtin_framework_path())]))"
    )
    out = run(installed.python, "-I", "-c", probe, cwd=tmp_path, env=installed_env())
    module_file, data_dir, framework_file = (Path(p) for p in json.loads(out))
    assert module_file.parent == installed.package  # not the checkout
    assert data_dir == installed.package / "data"
    assert framework_file.read_bytes() == (ROOT / "data" / "mlpl.yaml").read_bytes()


def test_the_installed_command_inits_and_shows_status_outside_the_checkout(
    installed: Installed, tmp_path: Path
) -> None:
    script = installed.script
    assert script.is_file()
    project = tmp_path / "client-project"
    project.mkdir()
    env = installed_env()

    created = run(script, "init", "--name", "Installed", cwd=project, env=env)
    assert "Installed" in created
    assert (project / "mlpl.json").is_file()
    text = run(script, "status", cwd=project, env=env)
    assert "Installed" in text and "iteration 1" in text
    summary = json.loads(run(script, "status", "--json", cwd=project, env=env))
    assert summary["project"] == "Installed"
    assert [s["id"] for s in summary["stages"]] == ["business", "data", "modelling", "delivery"]
    assert all(s["modules"] for s in summary["stages"])
    run(script, "set", "business.objectives", "done", cwd=project, env=env)
    module = json.loads((project / "mlpl.json").read_text(encoding="utf-8"))["modules"]
    assert module["business.objectives"]["updated_by"] == "packager"
    # `python -m mlpl_tui` works from the installed package as well.
    out = run(installed.python, "-I", "-m", "mlpl_tui", "validate", cwd=project, env=env)
    assert "valid" in out


def test_the_installed_package_ships_the_demo_and_reports_on_it(
    installed: Installed, tmp_path: Path
) -> None:
    env = installed_env()
    probe = (
        "import sys; from pathlib import Path; from mlpl_tui.demo import copy_demo, demo_file;"
        "print(demo_file()); print(copy_demo(Path(sys.argv[1])))"
    )
    out = run(installed.python, "-I", "-c", probe, tmp_path / "demo", cwd=tmp_path, env=env)
    bundled, copy = (Path(line) for line in out.splitlines())
    assert bundled == installed.package / "data" / "demo" / "mlpl.json"
    assert copy.read_bytes() == (ROOT / "data" / "demo" / "mlpl.json").read_bytes()
    script = installed.script
    status = run(script, "status", "--file", copy, cwd=tmp_path, env=env)
    assert "accepted, iteration 14" in status
    text = run(script, "report", "--file", copy, cwd=tmp_path, env=env)
    assert "accepted by the client, iteration **14**" in text
    run(
        script,
        "report",
        "--file",
        copy,
        "--format",
        "html",
        "-o",
        tmp_path / "r.html",
        cwd=tmp_path,
        env=env,
    )
    assert (tmp_path / "r.html").read_text(encoding="utf-8").startswith("<!DOCTYPE html>")

"""A real wheel: built from this checkout, installed elsewhere, run with its bundled data."""

from __future__ import annotations

import importlib.util
import json
import os
import subprocess
import sys
import zipfile
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


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The wheel installed into a folder of its own (dependencies come from the test venv)."""
    base = tmp_path_factory.mktemp("packaging")
    dist, site = base / "dist", base / "site"
    build: list[str | Path] = [sys.executable, "-m", "pip", "wheel", "--no-deps", "-q"]
    build += ["-w", dist, ROOT]
    if importlib.util.find_spec("hatchling") is not None:
        build.insert(4, "--no-build-isolation")  # offline when the backend is at hand
    run(*build, cwd=base)
    (wheel,) = dist.glob("mlpl_tui-*.whl")
    with zipfile.ZipFile(wheel) as archive:
        names = set(archive.namelist())
        entry_points = next(n for n in names if n.endswith(".dist-info/entry_points.txt"))
        scripts = archive.read(entry_points).decode("utf-8")
    assert "mlpl_tui/data/mlpl.yaml" in names
    assert "mlpl_tui/data/demo/mlpl.json" in names
    assert "mlpl_tui/cli.py" in names
    assert "mlpl-tui = mlpl_tui.cli:main" in scripts
    run(
        sys.executable,
        "-m",
        "pip",
        "install",
        "-q",
        "--no-deps",
        "--no-index",
        "--target",
        site,
        wheel,
        cwd=base,
    )
    return site


def installed_env(site: Path) -> dict[str, str]:
    env = {**os.environ, "PYTHONPATH": str(site), "MLPL_USER": "packager"}
    env.pop("MLPL_FILE", None)
    return env


def test_the_installed_package_uses_its_own_bundled_data(installed: Path, tmp_path: Path) -> None:
    probe = (
        "import json, mlpl_tui, mlpl_tui.framework as f;"
        "print(json.dumps([mlpl_tui.__file__, str(f.data_dir()), str(f.builtin_framework_path())]))"
    )
    out = run(sys.executable, "-c", probe, cwd=tmp_path, env=installed_env(installed))
    module_file, data_dir, framework_file = (Path(p) for p in json.loads(out))
    package = installed / "mlpl_tui"
    assert module_file.parent == package  # not the checkout
    assert data_dir == package / "data"
    assert framework_file.read_bytes() == (ROOT / "data" / "mlpl.yaml").read_bytes()


def test_the_installed_command_inits_and_shows_status_outside_the_checkout(
    installed: Path, tmp_path: Path
) -> None:
    script = installed / "bin" / "mlpl-tui"
    assert script.is_file()
    project = tmp_path / "client-project"
    project.mkdir()
    env = installed_env(installed)

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
    out = run(sys.executable, "-m", "mlpl_tui", "validate", cwd=project, env=env)
    assert "valid" in out


def test_the_installed_package_ships_the_demo_and_reports_on_it(
    installed: Path, tmp_path: Path
) -> None:
    env = installed_env(installed)
    probe = (
        "import sys; from pathlib import Path; from mlpl_tui.demo import copy_demo, demo_file;"
        "print(demo_file()); print(copy_demo(Path(sys.argv[1])))"
    )
    out = run(sys.executable, "-c", probe, tmp_path / "demo", cwd=tmp_path, env=env)
    bundled, copy = (Path(line) for line in out.splitlines())
    assert bundled == installed / "mlpl_tui" / "data" / "demo" / "mlpl.json"
    assert copy.read_bytes() == (ROOT / "data" / "demo" / "mlpl.json").read_bytes()
    script = installed / "bin" / "mlpl-tui"
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

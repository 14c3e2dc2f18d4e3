"""How long `mlpl-tui report` takes on a 10,000-record project, against loading the same project.

    python bench/report.py [--records 10000] [--runs 30] [--dir DIR]

A synthetic project (bench/make_project.py) is written to a temporary directory. Everything is
measured in this process, with a fresh `Store` each run so no cache carries over:

- load (the baseline): loading the project, i.e. `Store(path).load()` (read, parse and check
  the file) and then every table read into its records, as `validate` and the terminal UI do.
  The target is each report at most 3x this;
- snapshot only: `Store(path).load()` alone. Records are parsed lazily on first use, so this is
  only the JSON parse; shown for information, with its own ratio, because reading records
  (about 4 microseconds each, in mlpl_tui/model.py) is most of what any report costs;
- report FORMAT: what `mlpl-tui report --format FORMAT` does after parsing its arguments: load,
  derive the figures, render the text (md, html, csv, json); for madr, update the folder of
  decision records written before (the usual case: read, compare, nothing to rewrite). Writing
  the ~1,000 files into an empty folder is shown too, for information: it is file-system work.

Runs are interleaved (the order rotated every round) so drift on a noisy shared machine hits
them alike; the collector runs before each timed call; medians are reported. The script
reports; it does not assert, and exits 0.
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from make_project import write_project
from measure import interleaved, timed

from mlpl_tui.framework import builtin_framework_path, load_framework
from mlpl_tui.report import render
from mlpl_tui.report_madr import write_records
from mlpl_tui.store import Store

TARGET = 3.0
TABLES = (
    "visits",
    "modules",
    "decisions",
    "switches",
    "effort",
    "experiments",
    "answers",
    "events",
)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--records", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--dir", type=Path, default=None, help="where to put the temp files")
    args = parser.parse_args(argv)
    framework = load_framework(builtin_framework_path())

    with tempfile.TemporaryDirectory(prefix="mlpl-bench-", dir=args.dir) as tmp:
        path = write_project(args.records, Path(tmp) / "mlpl.json")
        madr = Path(tmp) / "decisions"

        def load() -> object:
            return Store(path).load()

        def load_all() -> object:
            project = Store(path).load()
            for table in TABLES:
                getattr(project, table)
            return project

        def report(format: str) -> Callable[[], object]:
            return lambda: render(Store(path).load(), framework, format)

        def report_madr() -> object:
            return write_records(Store(path).load(), framework, madr)

        def report_madr_first() -> object:
            shutil.rmtree(madr, ignore_errors=True)
            return write_records(Store(path).load(), framework, madr)

        actions: dict[str, Callable[[], object]] = {
            "load": load_all,
            "snapshot only": load,
            **{f"report --format {f}": report(f) for f in ("md", "html", "csv", "json")},
            "report --format madr": report_madr,
            "madr, empty folder": report_madr_first,
        }
        sizes = {f: len(render(Store(path).load(), framework, f)) for f in ("md", "html", "csv")}
        sizes["json"] = len(render(Store(path).load(), framework, "json"))
        names = list(actions)
        samples = interleaved(names, args.runs, lambda name: timed(actions[name]))
        size = path.stat().st_size
        decisions = len(list(madr.iterdir()))

    print(f"{args.records} records ({size / 1e6:.1f} MB), {args.runs} interleaved runs each")
    base = statistics.median(samples["load"])
    snapshot = statistics.median(samples["snapshot only"])
    header = (
        f"{'what':<22} {'median ms':>9} {'min ms':>7} {'max ms':>7} {'x load':>7} "
        f"{'x snapshot':>10}  output"
    )
    print(header)
    print("-" * len(header))
    worst = 0.0
    for name in names:
        values = samples[name]
        median = statistics.median(values)
        format = name.rsplit(" ", 1)[-1]
        output = f"{sizes[format] / 1e3:,.0f} kB" if format in sizes else ""
        if name.startswith("madr") or format == "madr":
            output = f"{decisions} files"
        if name.startswith("report"):
            worst = max(worst, median / base)
        print(
            f"{name:<22} {median:>9.1f} {min(values):>7.1f} {max(values):>7.1f} "
            f"{median / base:>7.2f} {median / snapshot:>10.2f}  {output}"
        )
    verdict = "ok" if worst <= TARGET else "MISS"
    print(f"\nslowest report / load = {worst:.2f}x (target <= {TARGET}x): {verdict}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Build a synthetic, valid project with about N records, for benchmarks and load tests.

python bench/make_project.py 10000 /tmp/big/mlpl.json
"""

from __future__ import annotations

import random
import sys
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from mlpl_tui.framework import builtin_framework_path, load_framework
from mlpl_tui.lifecycle import Context, new_project
from mlpl_tui.model import META_ID
from mlpl_tui.store import dump


def synthetic_tables(records: int, seed: int = 7) -> dict[str, dict[str, dict[str, Any]]]:
    """A project in `modelling` whose record count is about `records`: mostly history and effort,
    as a long-running project accumulates them."""
    rng = random.Random(seed)
    framework = load_framework(builtin_framework_path())
    ctx = Context("bench", "2026-01-05T09:00:00Z", make_id=lambda: f"{rng.getrandbits(40):010x}")
    tables: dict[str, dict[str, dict[str, Any]]] = {
        name: dict(t) for name, t in new_project("Synthetic", ctx).items()
    }
    for name in ("modules", "decisions", "switches", "effort", "experiments", "questions"):
        tables.setdefault(name, {})
    # business and data passed, now in modelling
    first = next(iter(tables["visits"]))
    tables["visits"][first]["left_at"] = "2026-01-10T09:00:00Z"
    for number, (stage, at) in enumerate(
        [("data", "2026-01-10T09:00:00Z"), ("modelling", "2026-02-01T09:00:00Z")], start=1
    ):
        tables["visits"][ctx.make_id()] = {
            "stage": stage,
            "iteration": 1,
            "entered_at": at,
            "entered_by": "bench",
            "how": "advance",
            "switch": None,
            "left_at": None if number == 2 else "2026-02-01T09:00:00Z",
        }
    for module in framework.modules.values():
        if module.stage in ("business", "data"):
            tables["modules"][module.id] = {
                "status": "done",
                "note": f"Notes on {module.title}",
                "updated_at": "2026-01-09T10:00:00Z",
                "updated_by": "bench",
            }
    remaining = max(0, records - sum(len(t) for t in tables.values()))
    stages = [s.id for s in framework.stages[:3]]
    for i in range(remaining):
        day = f"2026-{1 + i % 3:02d}-{1 + i % 28:02d}"
        at = f"{day}T{i % 24:02d}:{i % 60:02d}:00Z"
        kind = i % 20
        if kind < 11:
            tables["events"][ctx.make_id()] = {
                "at": at,
                "by": "bench",
                "action": "module.set",
                "summary": f"modelling.training: todo → doing (step {i})",
                "refs": ["modelling.training"],
            }
        elif kind < 17:
            tables["effort"][ctx.make_id()] = {
                "minutes": 15 + rng.randrange(0, 240, 15),
                "stage": stages[i % 3],
                "module": None,
                "on": day,
                "note": "synthetic effort entry",
                "iteration": 1,
                "experiment": None,
                "at": at,
                "by": "bench",
            }
        elif kind < 19:
            tables["decisions"][ctx.make_id()] = {
                "title": f"Decision {i}",
                "context": "Synthetic context for a benchmark record.",
                "decision": "Keep the approach.",
                "rationale": "It is a benchmark.",
                "status": "accepted",
                "stage": stages[i % 3],
                "module": None,
                "supersedes": None,
                "superseded_by": None,
                "created_at": at,
                "created_by": "bench",
            }
        else:
            tables["experiments"][ctx.make_id()] = {
                "title": f"Experiment {i}",
                "hypothesis": "Gradient boosting beats the baseline.",
                "link": f"runs/{i}",
                "status": "abandoned" if i % 3 else "kept",
                "reason": "worse than the baseline" if i % 3 else "",
                "stage": "modelling",
                "module": None,
                "created_at": at,
                "created_by": "bench",
                "updated_at": at,
                "updated_by": "bench",
            }
    tables["meta"][META_ID]["schema_version"] = 1
    return tables


def write_project(records: int, path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(dump(synthetic_tables(records)))
    return path


if __name__ == "__main__":
    count, target = int(sys.argv[1]), Path(sys.argv[2])
    write_project(count, target)
    print(f"{target}: {count} records, {target.stat().st_size} bytes")

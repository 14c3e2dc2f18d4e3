"""How merging two branches that both looped back scales with visits and effort entries.

    python bench/merge_timeline.py [--visits 50,400] [--entries 10000,100000] [--reps 5]

Both branches loop back from the same base at different times, so the merged timeline is
counted again and every effort entry is moved to the iteration of the visit it was logged in
(merge._renumber_references). The baseline, measured in the same run, is parsing the three
versions with orjson; the ratio should stay flat as visits grow (no per-entry scan of the
visits). The script reports; it does not assert, and exits 0.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

import orjson
from merge import timed

from mlpl_tui.merge import merge

Data = dict[str, dict[str, dict[str, Any]]]
STAGES = ("business", "data", "modelling", "delivery")


def at(second: int) -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(1_767_225_600 + second))


def base_version(visits: int, entries: int) -> Data:
    """`visits` stays, every fourth a loop back, and effort spread over them."""
    data: Data = {"meta": {"project": {"schema_version": 1}}, "visits": {}, "effort": {}}
    iteration = 1
    for n in range(visits):
        how = "start" if n == 0 else ("switch" if n % 4 == 0 else "advance")
        iteration += how == "switch"
        data["visits"][f"v{n:05d}"] = {
            "stage": STAGES[n % 4],
            "iteration": iteration,
            "entered_at": at(n * 3600),
            "left_at": at((n + 1) * 3600) if n < visits - 1 else None,
            "how": how,
            "switch": None,
        }
    for n in range(entries):
        second = n * visits * 3600 // entries
        data["effort"][f"e{n:06d}"] = {
            "minutes": 30,
            "stage": STAGES[second // 3600 % 4],
            "on": at(second)[:10],
            "at": at(second),
            "iteration": 1 + (second // 3600) // 4,
        }
    return data


def loop_back(base: Data, who: str, second: int, entries: int) -> Data:
    """`base` plus one loop back at `second` past the last visit, and effort logged after it."""
    side = {name: dict(table) for name, table in base.items()}
    last = max(base["visits"].values(), key=lambda v: v["entered_at"])
    start = len(base["visits"]) * 3600 + second
    side["visits"][max(base["visits"])] = {**last, "left_at": at(start)}
    side["visits"][f"{who}-visit"] = {
        "stage": "data",
        "iteration": last["iteration"] + 1,
        "entered_at": at(start),
        "left_at": None,
        "how": "switch",
        "switch": None,
    }
    for n in range(entries):
        side["effort"][f"{who}-e{n:05d}"] = {
            "minutes": 15,
            "stage": "data",
            "on": at(start + 60 + n)[:10],
            "at": at(start + 60 + n),
            "iteration": last["iteration"] + 1,
        }
    return side


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--visits", default="50,400", help="visits in the base, comma-separated")
    parser.add_argument("--entries", default="10000,100000", help="effort entries in the base")
    parser.add_argument("--reps", type=int, default=5)
    args = parser.parse_args(argv)
    print(f"{'visits':>7}{'entries':>9}{'parse ms':>10}{'merge ms':>10}{'ratio':>7}")
    for entries in map(int, args.entries.split(",")):
        for visits in map(int, args.visits.split(",")):
            base = base_version(visits, entries)
            ours = loop_back(base, "ours", 600, 20)
            theirs = loop_back(base, "theirs", 1200, 20)
            versions = (base, ours, theirs)
            files = [orjson.dumps(v) for v in versions]
            parse = statistics.median(
                timed(lambda f=files: [orjson.loads(c) for c in f]) for _ in range(args.reps)
            )
            result = merge(*versions)
            moved = sum(
                result.data["effort"][id]["iteration"] != entry["iteration"]
                for id, entry in {**ours["effort"], **theirs["effort"]}.items()
            )
            assert moved, "the bench should make the merge renumber effort entries"
            took = statistics.median(timed(lambda v=versions: merge(*v)) for _ in range(args.reps))
            print(f"{visits:>7}{entries:>9}{parse:>10.1f}{took:>10.1f}{took / parse:>7.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

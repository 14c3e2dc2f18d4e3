"""What every benchmark here measures with: a timed call, and rounds in a rotating order.

The machines are shared and noisy: running the candidates interleaved, the order rotated every
round, lets drift hit them alike, and medians (taken by each script) shrug off the outliers.
"""

from __future__ import annotations

import gc
import time
from collections.abc import Callable, Sequence


def timed(action: Callable[[], object]) -> float:
    """Milliseconds one call takes; collecting first keeps one run's garbage out of the next."""
    gc.collect()
    start = time.perf_counter_ns()
    action()
    return (time.perf_counter_ns() - start) / 1e6


def interleaved(
    names: Sequence[str], runs: int, measure: Callable[[str], float]
) -> dict[str, list[float]]:
    """`measure(name)` once for each name to warm caches and .pyc files (not kept), then `runs`
    rounds over all of them, each round starting one further along."""
    for name in names:
        measure(name)
    samples: dict[str, list[float]] = {name: [] for name in names}
    for turn in range(runs):
        shift = turn % len(names)
        for name in [*names[shift:], *names[:shift]]:
            samples[name].append(measure(name))
    return samples

"""The YAML loader every reader uses: safe (plain data only, never objects), and libyaml's C
implementation when PyYAML was built with it, which keeps start-up and big files fast; the
pure-Python loader behaves the same."""

from __future__ import annotations

import yaml

try:
    SafeLoader: type[yaml.SafeLoader] = yaml.CSafeLoader  # type: ignore[assignment]
except AttributeError:  # pragma: no cover - depends on how PyYAML was built
    SafeLoader = yaml.SafeLoader

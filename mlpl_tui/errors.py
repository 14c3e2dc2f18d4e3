"""Errors users can act on; the CLI maps each kind to its exit status without a traceback."""

from __future__ import annotations


class MlplError(Exception):
    """Base of the errors shown to users as one or two plain lines."""

    exit_code = 2


class UsageError(MlplError):
    """Bad usage or unreadable input (exit 2)."""

    exit_code = 2


class RuleError(MlplError):
    """Refused by the lifecycle rules (exit 1)."""

    exit_code = 1

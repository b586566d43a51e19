"""Errors with a one-line message and the exit code the CLI maps them to."""

from __future__ import annotations


class AuditorError(Exception):
    """Base class: ``str(err)`` is a one-line message fit for stderr."""

    exit_code = 1


class InputError(AuditorError):
    """An input could not be read (missing, empty, binary, unreachable URL…)."""

    exit_code = 2


class ConfigError(AuditorError):
    """The configuration is malformed; the message names the key."""

    exit_code = 3

"""What the command modules share: exit codes, one-line errors, settings and store opening.

Imports only typer at module level, so ``auditor --help`` stays instant.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import typer

# Stable exit codes (README): 2 means "some input could not be read" for `audit`, "a link is
# broken" for `links check` and "new rot or drift" for `links report`.
EXIT_OK, EXIT_UNEXPECTED, EXIT_FOUND, EXIT_CONFIG = 0, 1, 2, 3


def err(message: str) -> None:
    """One line on stderr, prefixed like every message of the tool."""
    sys.stderr.write(f"auditor: {message}\n")
    sys.stderr.flush()


def load_cli_settings(
    config: Path | None, overrides: dict[str, Any], *, network: bool = False
) -> Any:
    """Settings with the registry (and, for network runs, the resolver, archive and recheck
    sections) validated now rather than mid-batch; a bad configuration exits 3."""
    from auditor.config import load_settings
    from auditor.errors import ConfigError

    try:
        settings = load_settings(config, overrides=overrides)
        settings.registry  # noqa: B018 - validate the registry now, not mid-run
        if network:
            from auditor.archive import ArchiveOptions
            from auditor.recheck import RecheckPolicy
            from auditor.resolve import ResolverOptions

            ResolverOptions.from_settings(settings)
            ArchiveOptions.from_settings(settings)
            RecheckPolicy.from_settings(settings)
    except ConfigError as exc:
        err(f"configuration error: {exc}")
        raise typer.Exit(EXIT_CONFIG) from None
    return settings


def open_store(settings: Any) -> Any:
    """The store of this configuration; a bad store setting exits 3, an unusable store 1."""
    from auditor.errors import ConfigError
    from auditor.store import Store, StoreError

    try:
        return Store.open(settings)
    except ConfigError as exc:
        err(f"configuration error: {exc}")
        raise typer.Exit(EXIT_CONFIG) from None
    except StoreError as exc:
        err(str(exc))
        raise typer.Exit(EXIT_UNEXPECTED) from None

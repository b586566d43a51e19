"""The documentation keeps up with the code: every command, option and setting is documented."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
import typer.main
import yaml

from auditor.cli import app

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text(encoding="utf-8")
LINKROT = (ROOT / "docs" / "linkrot.md").read_text(encoding="utf-8")


def commands() -> list[tuple[str, Any]]:
    root: Any = typer.main.get_command(app)  # typer may ship its own click: duck-type groups
    found: list[tuple[str, Any]] = []
    for name, command in root.commands.items():
        if hasattr(command, "commands"):
            found += [(f"{name} {sub}", c) for sub, c in command.commands.items()]
        else:
            found.append((name, command))
    return found


@pytest.mark.parametrize(
    ("name", "command"), commands(), ids=lambda v: v if isinstance(v, str) else ""
)
def test_every_command_and_option_is_documented(name: str, command: Any) -> None:
    docs = README + LINKROT
    assert f"auditor {name}" in docs, f"`auditor {name}` is not in README.md or docs/linkrot.md"
    for param in command.params:
        for opt in getattr(param, "opts", []):
            if opt.startswith("--") and opt not in {"--help"}:
                assert opt in docs, f"`auditor {name} {opt}` is not documented"


def test_exit_codes_are_documented() -> None:
    table = README[README.index("### Exit codes") :]
    for code in ("| 0 |", "| 1 |", "| 2 |", "| 3 |"):
        assert code in table


def _leaves(mapping: dict, prefix: str = "") -> set[str]:
    keys: set[str] = set()
    for key, value in mapping.items():
        if isinstance(value, dict) and value:
            keys |= _leaves(value, f"{prefix}{key}.")
        else:
            keys.add(f"{prefix}{key}")
    return keys


def test_config_yaml_shows_every_setting() -> None:
    """config.yaml is the commented example of every key (commented-out keys count)."""
    defaults = yaml.safe_load(
        (ROOT / "auditor" / "data" / "defaults.yaml").read_text(encoding="utf-8")
    )
    text = (ROOT / "config.yaml").read_text(encoding="utf-8")
    settings_part = text.split("\n# The source registry")[0].split("\nsources:")[0]
    uncommented = re.sub(r"(?m)^(\s*)#\s?(\w+:)", r"\1\2", settings_part)
    shown = _leaves(yaml.safe_load(uncommented) or {})
    missing = _leaves(defaults) - shown - {"sources"}
    assert not missing, f"config.yaml does not show: {sorted(missing)}"


def test_readme_states_the_two_set_up_commands() -> None:
    assert "make demo" in README and "make test" in README
    assert "make test" in (ROOT / ".ci" / "run").read_text(encoding="utf-8")

"""Word lists that drive judgement, kept in data files the user can extend.

A lexicon is a YAML mapping of category -> list of entries, packaged as
``auditor/data/lexicons/<name>.yaml``. Users add entries through config
(``judge.lexicon_files: [my.yaml]``): each extra file is a mapping of lexicon name ->
category -> entries, appended to the packaged lists.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

from auditor.errors import ConfigError

Lexicon = Mapping[str, tuple[str, ...]]


@lru_cache(maxsize=64)
def _packaged(name: str) -> dict[str, tuple[str, ...]]:
    import yaml

    path = resources.files("auditor.data.lexicons").joinpath(f"{name}.yaml")
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except FileNotFoundError:
        raise ConfigError(f"no packaged lexicon named '{name}'") from None
    return _validate(raw, f"packaged lexicon {name}")


def _validate(raw: Any, origin: str) -> dict[str, tuple[str, ...]]:
    if not isinstance(raw, Mapping):
        raise ConfigError(f"{origin}: must be a mapping of category -> list of entries")
    out: dict[str, tuple[str, ...]] = {}
    for category, entries in raw.items():
        if entries is None:
            entries = []
        if not isinstance(entries, list) or not all(isinstance(e, str) for e in entries):
            raise ConfigError(f"{origin}: '{category}' must be a list of strings")
        out[str(category)] = tuple(entries)
    return out


@lru_cache(maxsize=64)
def _user_file(path: str) -> dict[str, Any]:
    import yaml

    try:
        raw = yaml.safe_load(Path(path).read_text(encoding="utf-8")) or {}
    except OSError as exc:
        raise ConfigError(f"judge.lexicon_files: cannot read {path} ({exc.strerror})") from None
    except yaml.YAMLError:
        raise ConfigError(f"judge.lexicon_files: {path} is not valid YAML") from None
    if not isinstance(raw, Mapping):
        raise ConfigError(f"judge.lexicon_files: {path} must map lexicon names to categories")
    return dict(raw)


def load_lexicon(name: str, extra_files: Sequence[str | Path] = ()) -> Lexicon:
    """The packaged lexicon ``name`` with the user's entries for it appended."""
    merged = {k: list(v) for k, v in _packaged(name).items()}
    for file in extra_files:
        extra = _user_file(str(file)).get(name)
        if extra is None:
            continue
        for category, entries in _validate(extra, f"{file}: {name}").items():
            merged.setdefault(category, []).extend(entries)
    return {k: tuple(v) for k, v in merged.items()}

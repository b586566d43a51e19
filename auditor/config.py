"""Layered configuration.

Order, lowest first: packaged defaults (``auditor/data/defaults.yaml``) < the packaged
project configuration (``config.yaml``, which carries the source registry) < a user file
(``--config FILE``, ``$AUDITOR_CONFIG`` or ``./config.yaml``) < environment variables
(``AUDITOR_<SECTION>_<KEY>``, plus ``AUDITOR_HOME`` and ``AUDITOR_WAYBACK_URL``) < CLI flags.
A partial file only overrides what it sets. Every error names the offending key.
"""

from __future__ import annotations

import contextlib
import copy
import os
import re
import sys
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from auditor.errors import ConfigError

DATA_PACKAGE = "auditor.data"
DATA_DIR = Path(__file__).parent / "data"  # the same files as importlib.resources (unzipped)

# Environment variables with a name of their own, mapped to their dotted key.
NAMED_ENV = {
    "AUDITOR_HOME": "home",
    "AUDITOR_WAYBACK_URL": "archive.wayback_url",
}
# Environment variables that are not settings (so never reported as unknown).
NON_SETTING_ENV = {"AUDITOR_CONFIG"}

# Sections whose content is a free-form mapping or list validated by its own stage.
FREE_SECTIONS = {"sources"}


@dataclass(frozen=True)
class Settings:
    """The merged configuration. ``get("fetch.timeout")`` reads a dotted key."""

    data: Mapping[str, Any]
    files: tuple[str, ...] = ()  # the configuration files read, in order
    _cache: dict[str, Any] = field(default_factory=dict, compare=False, repr=False)

    def get(self, dotted: str, default: Any = None) -> Any:
        node: Any = self.data
        for part in dotted.split("."):
            if not isinstance(node, Mapping) or part not in node:
                return default
            node = node[part]
        return node

    def section(self, name: str) -> Mapping[str, Any]:
        value = self.data.get(name) or {}
        return value if isinstance(value, Mapping) else {}

    @property
    def registry(self) -> Any:
        """The source registry built from ``sources`` (built once, lazily)."""
        if "registry" not in self._cache:
            from auditor.registry import SourceRegistry

            self._cache["registry"] = SourceRegistry.from_config(self.data.get("sources") or [])
        return self._cache["registry"]


def _read_yaml_text(text: str, origin: str) -> dict[str, Any]:
    import yaml  # ~25 ms: only when a file is parsed (the packaged ones are cached)

    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml: 10x faster on the registry
    try:
        loaded = yaml.load(text, Loader=loader)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" (line {mark.line + 1})" if mark is not None else ""
        raise ConfigError(f"{origin}: not valid YAML{where}") from None
    if loaded is None:
        return {}
    if not isinstance(loaded, dict):
        raise ConfigError(f"{origin}: the top level must be a mapping of keys")
    return loaded


# The packaged YAML files are parsed once and kept, parsed, next to the package's bytecode
# (``__pycache__`` or ``$PYTHONPYCACHEPREFIX``), under the same rules as bytecode: written
# unless ``PYTHONDONTWRITEBYTECODE`` is set, silently not written where it cannot be, used only
# while the text it was made from is unchanged (its digest is kept with it).
_CACHE_MAGIC = "auditor-yaml-cache-1"


def _cache_file(source: Path) -> Path | None:
    """Where the parsed form of ``source`` is kept (beside the bytecode), or None."""
    from importlib.util import cache_from_source

    try:
        compiled = cache_from_source(str(source) + ".py")  # …/__pycache__/NAME.yaml.<tag>.pyc
    except (NotImplementedError, ValueError):  # pragma: no cover - no bytecode cache here
        return None
    return Path(compiled.removesuffix(".pyc") + ".marshal")


def _read_yaml_cached(text: str, origin: str, source: Path) -> dict[str, Any]:
    """``_read_yaml_text`` through the cache of parsed packaged files."""
    import hashlib
    import marshal

    digest = hashlib.blake2b(text.encode("utf-8"), digest_size=16).hexdigest()
    cache = _cache_file(source)
    if cache is not None:
        try:
            magic, key, data = marshal.loads(cache.read_bytes())
        except (OSError, ValueError, EOFError, TypeError):
            pass  # absent, unreadable or of another format: parse the text
        else:
            if magic == _CACHE_MAGIC and key == digest and isinstance(data, dict):
                return data
    data = _read_yaml_text(text, origin)
    if cache is not None and not sys.dont_write_bytecode:
        try:
            blob = marshal.dumps((_CACHE_MAGIC, digest, data))
        except ValueError:  # a value marshal cannot hold (a YAML date): never cached
            return data
        _write_atomic(cache, blob)
    return data


def _write_atomic(path: Path, blob: bytes) -> None:
    """Write ``blob`` so that a reader never sees half of it; give up quietly on any error."""
    temporary = path.with_name(f"{path.name}.{os.getpid()}.tmp")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        temporary.write_bytes(blob)
        os.replace(temporary, path)
    except OSError:
        with contextlib.suppress(OSError):
            temporary.unlink(missing_ok=True)


def _packaged(name: str) -> dict[str, Any] | None:
    path = DATA_DIR / name
    if path.is_file():
        try:
            text = path.read_text(encoding="utf-8")
        except OSError:
            return None
        return _read_yaml_cached(text, f"packaged {name}", path)
    from importlib import resources  # a zipped installation

    try:
        text = resources.files(DATA_PACKAGE).joinpath(name).read_text(encoding="utf-8")
    except (FileNotFoundError, OSError):
        return None
    return _read_yaml_text(text, f"packaged {name}")


def _packaged_path(name: str) -> Path | None:
    """The resolved path of a packaged file (None when it is not a plain file)."""
    path = DATA_DIR / name
    if path.is_file():
        return path.resolve()
    from importlib import resources

    try:
        return Path(str(resources.files(DATA_PACKAGE).joinpath(name))).resolve()
    except (TypeError, OSError):  # pragma: no cover - zipped install
        return None


def _type_name(value: Any) -> str:
    if value is None:
        return "null"
    return {
        bool: "boolean",
        int: "integer",
        float: "number",
        str: "string",
        list: "list",
        dict: "mapping",
    }.get(type(value), type(value).__name__)


def _check_and_merge(
    base: dict[str, Any], layer: Mapping[str, Any], origin: str, prefix: str = ""
) -> None:
    """Merge ``layer`` into ``base`` in place, checking keys and types against ``base``."""
    for key, value in layer.items():
        dotted = f"{prefix}{key}"
        if not isinstance(key, str):
            raise ConfigError(
                f"{origin}: key {key!r} under '{prefix or 'top level'}' is not a name"
            )
        if key not in base:
            raise ConfigError(f"{origin}: unknown key '{dotted}'")
        current = base[key]
        if dotted in FREE_SECTIONS:
            if not isinstance(value, list):
                raise ConfigError(f"{origin}: '{dotted}' must be a list, not {_type_name(value)}")
            _check_sources(value, origin)
            base[key] = _merge_sources(current, value)
            continue
        if isinstance(current, dict):
            if value is None:
                continue
            if not isinstance(value, Mapping):
                raise ConfigError(
                    f"{origin}: '{dotted}' must be a mapping, not {_type_name(value)}"
                )
            if not current:  # an open section: any keys, stage validates
                current.update(copy.deepcopy(dict(value)))
                continue
            _check_and_merge(current, value, origin, dotted + ".")
            continue
        base[key] = _coerce(current, value, origin, dotted)


def _coerce(current: Any, value: Any, origin: str, dotted: str) -> Any:
    if current is None or value is None:
        return value
    if isinstance(current, bool):
        if isinstance(value, bool):
            return value
    elif isinstance(current, int):
        if isinstance(value, int) and not isinstance(value, bool):
            return value
    elif isinstance(current, float):
        if isinstance(value, int | float) and not isinstance(value, bool):
            return float(value)
    elif isinstance(current, str):
        if isinstance(value, str):
            return value
    elif isinstance(current, list):
        if isinstance(value, list):
            return value
    else:
        return value
    raise ConfigError(
        f"{origin}: '{dotted}' must be a {_type_name(current)}, not {_type_name(value)} ({value!r})"
    )


def _check_sources(entries: list[Any], origin: str) -> None:
    """Validate registry entries where they are written, so errors name their file and index."""
    from auditor.registry import check_source_entry

    for index, entry in enumerate(entries):
        ident = entry.get("id") if isinstance(entry, Mapping) else None
        where = f"{origin}: sources[{index}]" + (f" (id {ident!r})" if ident else "")
        check_source_entry(entry, where)


def _merge_sources(current: list[Any], extra: list[Any]) -> list[Any]:
    """Registry entries merge by ``id``: a later entry replaces an earlier one."""
    merged: dict[Any, Any] = {}
    for entry in [*current, *extra]:
        key = entry.get("id") if isinstance(entry, Mapping) else id(entry)
        merged[key] = entry
    return list(merged.values())


# A value YAML reads as this very string: a path or a word (not one YAML 1.1 reads as a
# boolean or null). Such values skip the YAML parser (and its import).
_PLAIN_STRING = re.compile(r"[A-Za-z/][A-Za-z0-9_./-]*")
_YAML_WORDS = frozenset(
    word
    for base in ("yes", "no", "true", "false", "on", "off", "null")
    for word in (base, base.capitalize(), base.upper())
)


def _env_value(raw: str) -> Any:
    """An environment value parsed as a YAML scalar (a mapping or list is kept as text)."""
    if _PLAIN_STRING.fullmatch(raw) and raw not in _YAML_WORDS:
        return raw
    import yaml

    try:
        value = yaml.safe_load(raw) if raw.strip() else None
    except yaml.YAMLError:
        value = raw
    if (
        isinstance(value, dict | list) is False
        and value is not None
        and not isinstance(value, bool | int | float | str)
    ):
        value = raw
    return value


def _env_layer(env: Mapping[str, str], defaults: Mapping[str, Any]) -> dict[str, Any]:
    """Turn AUDITOR_* variables into a nested mapping, parsing values as YAML scalars."""
    leaves: dict[str, str] = {}
    for section, value in defaults.items():
        if isinstance(value, dict):
            for key in value:
                leaves[f"AUDITOR_{section}_{key}".upper()] = f"{section}.{key}"
        elif section not in FREE_SECTIONS:
            leaves[f"AUDITOR_{section}".upper()] = section
    leaves.update(NAMED_ENV)
    layer: dict[str, Any] = {}
    for name, raw in env.items():
        if not name.startswith("AUDITOR_") or name in NON_SETTING_ENV:
            continue
        dotted = leaves.get(name)
        if dotted is None:
            continue  # unrelated variable sharing the prefix: ignored, not fatal
        value = _env_value(raw)
        node = layer
        parts = dotted.split(".")
        for part in parts[:-1]:
            node = node.setdefault(part, {})
        node[parts[-1]] = value
    return layer


def user_config_path(explicit: str | Path | None, env: Mapping[str, str]) -> Path | None:
    """The user's configuration file: --config, then $AUDITOR_CONFIG, then ./config.yaml."""
    if explicit:
        path = Path(explicit)
        if not path.is_file():
            raise ConfigError(f"configuration file not found: {path}")
        return path
    if env.get("AUDITOR_CONFIG"):
        path = Path(env["AUDITOR_CONFIG"])
        if not path.is_file():
            raise ConfigError(f"AUDITOR_CONFIG points to a missing file: {path}")
        return path
    local = Path("config.yaml")
    return local if local.is_file() else None


def load_settings(
    config_file: str | Path | None = None,
    *,
    env: Mapping[str, str] | None = None,
    overrides: Mapping[str, Any] | None = None,
) -> Settings:
    """Build the merged settings; raise ``ConfigError`` naming the key on any problem.

    ``overrides`` holds CLI flags as dotted keys (``{"output.format": "md"}``); ``None``
    values are skipped so unset flags do not mask lower layers.
    """
    env = os.environ if env is None else env
    defaults = _packaged("defaults.yaml")
    if defaults is None:  # pragma: no cover - broken installation
        raise ConfigError("packaged defaults.yaml is missing: reinstall auditor")
    merged = copy.deepcopy(defaults)
    files: list[str] = []

    packaged_project = _packaged("config.yaml")
    packaged_path = _packaged_path("config.yaml")
    if packaged_project:
        _check_and_merge(merged, packaged_project, "packaged config.yaml")
        files.append("packaged config.yaml")

    user_path = user_config_path(config_file, env)
    if user_path is not None and (packaged_path is None or user_path.resolve() != packaged_path):
        try:
            text = user_path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise ConfigError(f"{user_path}: cannot be read ({exc.__class__.__name__})") from None
        _check_and_merge(merged, _read_yaml_text(text, str(user_path)), str(user_path))
        files.append(str(user_path))

    _check_and_merge(merged, _env_layer(env, defaults), "environment")

    if overrides:
        layer: dict[str, Any] = {}
        for dotted, value in overrides.items():
            if value is None:
                continue
            node = layer
            parts = dotted.split(".")
            for part in parts[:-1]:
                node = node.setdefault(part, {})
            node[parts[-1]] = value
        _check_and_merge(merged, layer, "command line")

    fmt = merged["output"]["format"]
    if fmt not in {"md", "json", "all"}:
        raise ConfigError(f"'output.format' must be md, json or all, not {fmt!r}")
    return Settings(data=merged, files=tuple(files))


def section_of(settings: Any, name: str) -> Mapping[str, Any]:
    """A configuration section from ``Settings``, a plain mapping of the whole configuration,
    or None (stages accept all three so they can be used without loading a file)."""
    if settings is None:
        return {}
    if hasattr(settings, "section"):
        value = settings.section(name)
    elif isinstance(settings, Mapping):
        value = settings.get(name) or {}
    else:
        value = {}
    if not isinstance(value, Mapping):
        raise ConfigError(f"'{name}' must be a mapping of keys")
    return value


_TYPE_NAMES = {int: "an integer", float: "a number", bool: "true or false", str: "a string"}


def typed_value(dotted: str, value: Any, kind: type | tuple[type, ...]) -> Any:
    """``value`` checked against ``kind`` (an int is accepted for a float); else ConfigError."""
    kinds = kind if isinstance(kind, tuple) else (kind,)
    if float in kinds and isinstance(value, int) and not isinstance(value, bool):
        return float(value)
    if isinstance(value, kinds) and (bool in kinds or not isinstance(value, bool)):
        return value
    raise ConfigError(f"'{dotted}' must be {_TYPE_NAMES.get(kinds[0], 'valid')}, not {value!r}")

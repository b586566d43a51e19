"""Configuration layers: defaults < packaged config < user file < environment < CLI."""

from __future__ import annotations

import re
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from auditor import config
from auditor.config import load_settings
from auditor.errors import ConfigError


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "c.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def test_defaults_and_packaged_registry() -> None:
    settings = load_settings(env={})
    assert settings.get("output.format") == "all"
    assert settings.get("fetch.timeout") == 20.0
    assert len(settings.registry) > 50
    assert settings.registry.by_id("reuters") is not None


def test_precedence_file_env_cli(tmp_path: Path) -> None:
    path = write(tmp_path, "output:\n  format: md\nfetch:\n  timeout: 5\n")
    assert load_settings(path, env={}).get("output.format") == "md"
    assert load_settings(path, env={}).get("fetch.timeout") == 5.0  # int accepted for a number
    env = {"AUDITOR_OUTPUT_FORMAT": "json"}
    assert load_settings(path, env=env).get("output.format") == "json"
    assert (
        load_settings(path, env=env, overrides={"output.format": "all"}).get("output.format")
        == "all"
    )
    assert (
        load_settings(path, env=env, overrides={"output.format": None}).get("output.format")
        == "json"
    )


def test_partial_file_keeps_other_defaults(tmp_path: Path) -> None:
    settings = load_settings(write(tmp_path, "fetch:\n  max_bytes: 1000\n"), env={})
    assert settings.get("fetch.max_bytes") == 1000
    assert settings.get("fetch.timeout") == 20.0


def test_user_sources_extend_and_replace_by_id(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        (
            "sources:\n"
            "  - {id: gazette-locale, name: La Gazette locale, kind: newspaper, aliases: [la Gazette],"
            " domains: [gazette.example], tier: medium, tier_source: editorial}\n"
            "  - {id: reuters, name: Reuters (local copy), kind: news-agency, domains: [reuters.com],"
            " tier: high, tier_source: test}\n"
        ),
    )
    registry = load_settings(path, env={}).registry
    assert registry.match_url("https://www.gazette.example/a").id == "gazette-locale"
    assert registry.by_id("reuters").name == "Reuters (local copy)"
    assert registry.by_id("afp") is not None  # packaged entries are still there


@pytest.mark.parametrize(
    ("text", "needle"),
    [
        ("output: [1, 2\n", "not valid YAML"),
        ("outptu:\n  dir: x\n", "unknown key 'outptu'"),
        ("fetch:\n  timout: 3\n", "unknown key 'fetch.timout'"),
        ("fetch:\n  timeout: soon\n", "'fetch.timeout' must be a number"),
        ("output:\n  format: pdf\n", "output.format"),
        ("- just\n- a list\n", "top level must be a mapping"),
        ("sources: {a: 1}\n", "'sources' must be a list"),
    ],
)
def test_malformed_config_names_the_key(tmp_path: Path, text: str, needle: str) -> None:
    with pytest.raises(ConfigError, match=re.escape(needle)) as info:
        load_settings(write(tmp_path, text), env={})
    assert "\n" not in str(info.value)


def test_bad_registry_entry_names_the_key(tmp_path: Path) -> None:
    path = write(
        tmp_path, "sources:\n  - {id: x, name: X, kind: newspaper, tier: hihg, tier_source: t}\n"
    )
    with pytest.raises(ConfigError, match=r"tier"):
        load_settings(path, env={}).registry  # noqa: B018


def test_environment_errors_and_unrelated_variables() -> None:
    with pytest.raises(ConfigError, match=r"fetch\.timeout"):
        load_settings(env={"AUDITOR_FETCH_TIMEOUT": "[1, 2]"})
    settings = load_settings(
        env={
            "AUDITOR_SOMETHING_ELSE": "1",
            "AUDITOR_FETCH_TIMEOUT": "3.5",
            "AUDITOR_HOME": "/tmp/auditor-home",
        }
    )
    assert settings.get("fetch.timeout") == 3.5
    assert settings.get("home") == "/tmp/auditor-home"


def test_missing_explicit_file(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="not found"):
        load_settings(tmp_path / "none.yaml", env={})
    with pytest.raises(ConfigError, match="AUDITOR_CONFIG"):
        load_settings(env={"AUDITOR_CONFIG": str(tmp_path / "none.yaml")})


# ---------------------------------------------------------------------------
# Start-up cost: the parsed packaged files are kept beside the bytecode; YAML only when needed


@pytest.fixture
def bytecode_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Bytecode (and so the parsed packaged files) written under ``tmp_path``."""
    monkeypatch.setattr(sys, "pycache_prefix", str(tmp_path / "pyc"))
    monkeypatch.setattr(sys, "dont_write_bytecode", False)
    return tmp_path / "pyc"


def test_packaged_files_are_parsed_once_then_read_back(
    bytecode_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    first = load_settings(env={})
    kept = sorted(p.name for p in bytecode_dir.rglob("*.marshal"))
    assert kept == [
        f"{name}.yaml.{sys.implementation.cache_tag}.marshal" for name in ("config", "defaults")
    ]

    def no_yaml(text: str, origin: str) -> dict[str, Any]:
        raise AssertionError(f"{origin} parsed again")

    monkeypatch.setattr(config, "_read_yaml_text", no_yaml)
    again = load_settings(env={})
    assert again.data == first.data and again.files == first.files
    assert len(again.registry) == len(first.registry)


def test_a_kept_parse_is_used_only_for_the_text_it_was_made_from(bytecode_dir: Path) -> None:
    source = bytecode_dir.parent / "data" / "settings.yaml"
    assert config._read_yaml_cached("a: 1\n", "x", source) == {"a": 1}
    assert config._read_yaml_cached("a: 2\n", "x", source) == {"a": 2}  # text changed
    assert config._read_yaml_cached("a: 2\n", "x", source) == {"a": 2}
    kept = config._cache_file(source)
    assert kept is not None and kept.is_file()
    kept.write_bytes(b"\x00 not marshal data")
    assert config._read_yaml_cached("a: 2\n", "x", source) == {"a": 2}  # unreadable: parsed
    dated = "day: 2026-03-01\n"  # a YAML date cannot be kept: parsed every time, still right
    assert config._read_yaml_cached(dated, "x", source)["day"].isoformat() == "2026-03-01"
    with pytest.raises(ConfigError, match="not valid YAML"):
        config._read_yaml_cached("a: [1\n", "x", source)


def test_nothing_is_written_when_bytecode_is_not(
    bytecode_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(sys, "dont_write_bytecode", True)
    load_settings(env={})
    assert list(bytecode_dir.rglob("*.marshal")) == []


def test_yaml_without_libyaml_reads_the_same(monkeypatch: pytest.MonkeyPatch) -> None:
    text = (config.DATA_DIR / "config.yaml").read_text(encoding="utf-8")
    with_c = config._read_yaml_text(text, "x")
    monkeypatch.delattr(yaml, "CSafeLoader", raising=False)
    assert config._read_yaml_text(text, "x") == with_c
    assert len(with_c["sources"]) > 100


def _env_value_by_yaml(raw: str) -> Any:
    """What an environment value always was: the YAML scalar, its text when not a scalar."""
    try:
        value = yaml.safe_load(raw) if raw.strip() else None
    except yaml.YAMLError:
        return raw
    if value is not None and not isinstance(value, bool | int | float | str | dict | list):
        return raw
    return value


@given(raw=st.text(alphabet="aYnoNtTrufeOFlsx019._-/~: #[]'\"", max_size=12))
@hypothesis_settings(max_examples=400, deadline=None)
def test_environment_values_read_as_yaml_would(raw: str) -> None:
    assert config._env_value(raw) == _env_value_by_yaml(raw)


@pytest.mark.parametrize(
    "raw", ["/tmp/auditor home", "/srv/auditor-1", "yes", "Off", "NULL", "md", "~", "3.5", "0x10"]
)
def test_environment_values_read_as_yaml_would_examples(raw: str) -> None:
    assert config._env_value(raw) == _env_value_by_yaml(raw)

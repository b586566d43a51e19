"""Configuration layers: defaults < packaged config < user file < environment < CLI."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

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

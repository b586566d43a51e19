"""Shared fixtures. No test reaches the internet: name lookups other than loopback fail."""

from __future__ import annotations

import ipaddress
import socket
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT / "seeds"

_real_getaddrinfo = socket.getaddrinfo


def _is_local(host: Any) -> bool:
    if host is None:
        return True
    name = host.decode() if isinstance(host, bytes) else str(host)
    if name in {"localhost", "localhost.localdomain"} or name.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(name.split("%")[0]).is_loopback
    except ValueError:
        return False


def _guarded_getaddrinfo(host: Any, *args: Any, **kwargs: Any) -> Any:
    if not _is_local(host):
        raise socket.gaierror(socket.EAI_NONAME, f"tests never resolve {host!r}")
    return _real_getaddrinfo(host, *args, **kwargs)


@pytest.fixture(autouse=True)
def _no_internet(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(socket, "getaddrinfo", _guarded_getaddrinfo)


@pytest.fixture(autouse=True)
def _isolated_home(
    tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> Iterator[Path]:
    """Keep the store, WARC files and caches of every test in a temporary AUDITOR_HOME."""
    home = tmp_path_factory.mktemp("auditor-home")
    monkeypatch.setenv("AUDITOR_HOME", str(home))
    for name in (
        "AUDITOR_CONFIG",
        "AUDITOR_WAYBACK_URL",
        "AUDITOR_OUTPUT_FORMAT",
        "AUDITOR_OUTPUT_DIR",
    ):
        monkeypatch.delenv(name, raising=False)
    yield home


@pytest.fixture(scope="session")
def seed_paths() -> dict[str, Path]:
    """The five seeds by their three-digit prefix ("000" … "004")."""
    return {path.name[:3]: path for path in sorted(SEEDS.glob("*.txt"))}

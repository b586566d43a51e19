"""Reporters: one module per format, and the atomic writer they share."""

from __future__ import annotations

import hashlib
import json
import os
import re
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

if TYPE_CHECKING:  # records imports the whole record model: not needed by `links check`
    from auditor.records import Audit

FORMATS = {"md": (".md",), "json": (".json",), "all": (".md", ".json")}


def report_stem(source: str) -> str:
    """A file-system-safe report name for an input (file stem, URL slug or 'stdin')."""
    if source == "-":
        return "stdin"
    if re.match(r"^https?://", source, re.I):
        parts = urlsplit(source)
        raw = f"{parts.hostname or 'url'}{parts.path}".rstrip("/")
        slug = re.sub(r"[^A-Za-z0-9._-]+", "-", raw).strip("-.")[:80]
        return slug + "-" + hashlib.sha256(source.encode()).hexdigest()[:8]
    stem = Path(source).stem or "report"
    return re.sub(r"[^\w.-]+", "-", stem).strip("-.") or "report"


def write_atomic(path: Path, text: str) -> None:
    """Write a file so that a reader (or a killed run) never sees half of it."""
    import tempfile

    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def write_reports(
    audit: Audit,
    directory: Path,
    fmt: str,
    *,
    stem: str | None = None,
    links_extra: dict[str, dict[str, Any]] | None = None,
) -> list[Path]:
    """Write the report files of one audit; return their paths (JSON last, as the commit)."""
    from auditor.reporters import json_report, markdown_report

    stem = stem or report_stem(audit.article.source)
    written: list[Path] = []
    if ".md" in FORMATS[fmt]:
        path = directory / f"{stem}.md"
        write_atomic(path, markdown_report.render(audit, links_extra=links_extra))
        written.append(path)
    if ".json" in FORMATS[fmt]:
        path = directory / f"{stem}.json"
        write_atomic(path, json_report.render(audit, links_extra=links_extra))
        written.append(path)
    return written


def is_up_to_date(directory: Path, stem: str, fmt: str, sha256: str, version: str) -> bool:
    """True when the reports of an input exist and were made from the same bytes and version."""
    if any(not (directory / f"{stem}{suffix}").is_file() for suffix in FORMATS[fmt]):
        return False
    json_path = directory / f"{stem}.json"
    if not json_path.is_file():
        return True  # markdown only: existence is all we can check
    try:
        report = json.loads(json_path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    return bool(
        report.get("document", {}).get("sha256") == sha256
        and report.get("tool", {}).get("version") == version
    )

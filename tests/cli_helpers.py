"""Helpers shared by the CLI test modules."""

from __future__ import annotations

from typer.testing import CliRunner, Result

from auditor.cli import app


def offline(args: list[str]) -> list[str]:
    """Audits in tests not about link checking run offline unless a URL is audited (link
    checking is tested in test_audit_links.py against loopback servers)."""
    if args[:1] == ["audit"] and "--offline" not in args and not any("://" in a for a in args):
        return [*args, "--offline"]
    return args


def invoke(
    args: list[str], *, env: dict[str, str] | None = None, stdin: str | bytes | None = None
) -> Result:
    """Run the CLI in-process; stdout and stderr are captured separately; never a traceback."""
    result = CliRunner().invoke(app, offline(args), env=env, input=stdin, catch_exceptions=False)
    assert "Traceback" not in result.stderr
    return result

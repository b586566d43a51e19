"""Ready-to-install schedules for the link-rot recheck: a crontab line, a systemd service
and timer, a GitHub Actions workflow. Each runs ``auditor links recheck`` then ``auditor links
report`` (pure text generators; ``auditor schedule`` prints them, docs/linkrot.md says how to
install each)."""

from __future__ import annotations

import re
import shlex
import shutil
import sys
from dataclasses import dataclass, field
from pathlib import Path

from auditor.errors import ConfigError

UNIT_NAME = "auditor-linkrot"


@dataclass(frozen=True, slots=True)
class ScheduleSpec:
    """What a scheduled run needs: how to start auditor, where, with which state."""

    command: tuple[str, ...] = ("auditor",)  # the auditor executable (or python -m auditor)
    workdir: str = "."  # where it runs (config.yaml and the report directory are relative)
    home: str | None = None  # AUDITOR_HOME; None: the default the command finds
    report_dir: str = "reports"
    hour: int = 3
    minute: int = 17
    config: str | None = None  # --config FILE
    documents: tuple[str, ...] = ()  # registered (offline) before each recheck
    install: str = "python -m pip install ."  # the GitHub Actions install step
    python_version: str = "3.12"
    extra_recheck_args: tuple[str, ...] = field(default_factory=tuple)

    def __post_init__(self) -> None:
        if not 0 <= self.hour <= 23 or not 0 <= self.minute <= 59:
            raise ConfigError(f"invalid time {self.hour:02d}:{self.minute:02d}")


def parse_time(text: str) -> tuple[int, int]:
    """``HH:MM`` as (hour, minute); raise ConfigError when it is not a time of day."""
    match = re.fullmatch(r"([01]?\d|2[0-3]):([0-5]\d)", text.strip())
    if not match:
        raise ConfigError(f"'{text}' is not a time of day (HH:MM)")
    return int(match.group(1)), int(match.group(2))


def auditor_command() -> tuple[str, ...]:
    """How to start this auditor from a scheduler: the console script next to the running
    interpreter, else the one on PATH, else ``python -m auditor``."""
    beside = Path(sys.executable).with_name("auditor")
    if beside.is_file():
        return (str(beside),)
    found = shutil.which("auditor")
    if found:
        return (str(Path(found).resolve()),)
    return (sys.executable, "-m", "auditor")


def _steps(spec: ScheduleSpec) -> list[list[str]]:
    """The commands of one scheduled run, in order."""
    config = ["--config", spec.config] if spec.config else []
    steps = []
    if spec.documents:
        steps.append(
            [
                *spec.command,
                "links",
                "check",
                "--offline",
                "--quiet",
                "--format",
                "json",
                "--output",
                "/dev/null",
                *config,
                *spec.documents,
            ]
        )
    steps.append([*spec.command, "links", "recheck", "--quiet", *config, *spec.extra_recheck_args])
    steps.append(
        [*spec.command, "links", "report", "--format", "all", "--output", spec.report_dir, *config]
    )
    return steps


def _shell(args: list[str]) -> str:
    return " ".join(shlex.quote(arg) for arg in args)


def crontab(spec: ScheduleSpec) -> str:
    """One crontab line (five time fields, then the command): daily at ``hour:minute``.

    The report exits 2 when it finds new rot or drift; cron ignores exit codes, so the line
    appends everything to ``linkrot.log`` in the working directory instead of mailing it.
    """
    env = f"AUDITOR_HOME={shlex.quote(spec.home)} " if spec.home else ""
    steps = " && ".join(env + _shell(step) for step in _steps(spec))
    line = (
        f"{spec.minute} {spec.hour} * * * cd {shlex.quote(spec.workdir)} && "
        f"{{ {steps}; }} >> linkrot.log 2>&1"
    )
    return line.replace("%", "\\%") + "\n"  # % ends the command in crontab


def systemd_units(spec: ScheduleSpec) -> dict[str, str]:
    """A oneshot service and the timer that starts it daily, by file name."""
    env = f"Environment={_systemd_quote('AUDITOR_HOME=' + spec.home)}\n" if spec.home else ""
    execs = "".join(f"ExecStart={_shell(step)}\n".replace("%", "%%") for step in _steps(spec))
    workdir = spec.workdir.replace("%", "%%")
    service = (
        "[Unit]\n"
        "Description=auditor: recheck cited links and write the link-rot report\n"
        "Wants=network-online.target\n"
        "After=network-online.target\n"
        "\n"
        "[Service]\n"
        "Type=oneshot\n"
        f"WorkingDirectory={workdir}\n"
        f"{env}"
        f"{execs}"
        "# the report exits 2 when it found new rot or drift: not a failure of the unit\n"
        "SuccessExitStatus=2\n"
        "# SIGTERM makes a recheck record what it checked and give back its leases\n"
        "TimeoutStopSec=120\n"
        "Nice=10\n"
    )
    timer = (
        "[Unit]\n"
        "Description=Daily link-rot recheck of auditor's cited links\n"
        "\n"
        "[Timer]\n"
        f"OnCalendar=*-*-* {spec.hour:02d}:{spec.minute:02d}:00\n"
        "RandomizedDelaySec=15min\n"
        "Persistent=true\n"
        f"Unit={UNIT_NAME}.service\n"
        "\n"
        "[Install]\n"
        "WantedBy=timers.target\n"
    )
    return {f"{UNIT_NAME}.service": service, f"{UNIT_NAME}.timer": timer}


def _systemd_quote(value: str) -> str:
    value = value.replace("%", "%%")  # % starts a specifier in unit files
    if re.fullmatch(r"[\w./:=@+%-]+", value):
        return value
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def systemd(spec: ScheduleSpec) -> str:
    """Both systemd units, each under a comment naming the file to write."""
    parts = []
    for name, text in systemd_units(spec).items():
        parts.append(f"# ~/.config/systemd/user/{name}\n{text}")
    return "\n".join(parts)


def github_actions(spec: ScheduleSpec) -> str:
    """A workflow file (``.github/workflows/linkrot.yml``): a daily schedule and a manual
    trigger; the store is carried from run to run in the Actions cache, the reports are
    uploaded as an artifact, and the job fails (after saving everything) when the report
    found new rot or drift."""
    home = spec.home or ".auditor"
    home_env = home if home.startswith("/") else f"${{{{ github.workspace }}}}/{home}"
    config = f" --config {shlex.quote(spec.config)}" if spec.config else ""
    register = ""
    if spec.documents:
        docs = " ".join(shlex.quote(d) for d in spec.documents)
        register = (
            "      - name: Register the audited documents and their links (no network)\n"
            f"        run: auditor links check --offline --quiet --format json --output /dev/null"
            f"{config} {docs}\n"
        )
    extra = "".join(f" {shlex.quote(a)}" for a in spec.extra_recheck_args)
    report_dir = shlex.quote(spec.report_dir)
    return f"""# .github/workflows/linkrot.yml: scheduled link-rot checks of the cited URLs
name: link rot
"on":
  schedule:
    - cron: "{spec.minute} {spec.hour} * * *"
  workflow_dispatch: {{}}
permissions:
  contents: read
concurrency:
  group: auditor-linkrot
  cancel-in-progress: false
jobs:
  linkrot:
    runs-on: ubuntu-latest
    timeout-minutes: 120
    env:
      AUDITOR_HOME: {home_env}
    steps:
      - uses: actions/checkout@v4
      - uses: actions/setup-python@v5
        with:
          python-version: "{spec.python_version}"
      - name: Install auditor
        run: {spec.install}
      - name: Restore the store
        uses: actions/cache/restore@v4
        with:
          path: {home}
          key: auditor-store-${{{{ github.run_id }}}}
          restore-keys: auditor-store-
{register}      - name: Recheck the due links
        run: auditor links recheck{config}{extra}
      - name: Link-rot report
        id: report
        run: |
          set +e
          auditor links report --format all --output {report_dir}{config}
          code=$?
          echo "exit=$code" >> "$GITHUB_OUTPUT"
          if [ "$code" -ne 0 ] && [ "$code" -ne 2 ]; then exit "$code"; fi
      - name: Save the store
        if: always()
        uses: actions/cache/save@v4
        with:
          path: {home}
          key: auditor-store-${{{{ github.run_id }}}}
      - uses: actions/upload-artifact@v4
        with:
          name: linkrot-report
          path: {spec.report_dir}/linkrot-*
      - name: New rot or drift found
        if: steps.report.outputs.exit == '2'
        run: |
          echo "::warning::new link rot or drift: see the linkrot-report artifact"
          exit 1
"""


GENERATORS = {"cron": crontab, "systemd": systemd, "github-actions": github_actions}

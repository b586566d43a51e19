"""Schedule generators: the crontab line, the systemd units and the GitHub Actions workflow
are syntactically valid and run the recheck then the report."""

from __future__ import annotations

import configparser
import shlex

import pytest
import yaml

from auditor.errors import ConfigError
from auditor.schedule import (
    ScheduleSpec,
    crontab,
    github_actions,
    parse_time,
    systemd,
    systemd_units,
)

SPEC = ScheduleSpec(
    command=("/opt/auditor/.venv/bin/auditor",),
    workdir="/srv/fact checks",
    home="/srv/auditor-home",
    hour=4,
    minute=5,
    documents=("articles/",),
)
CRON_FIELD = r"^(\*|\d{1,2})$"


def test_crontab_line_has_five_time_fields_then_the_command() -> None:
    line = crontab(SPEC)
    assert line.endswith("\n") and line.count("\n") == 1
    fields = line.split()
    assert fields[:5] == ["5", "4", "*", "*", "*"]
    minute, hour = int(fields[0]), int(fields[1])
    assert 0 <= minute <= 59 and 0 <= hour <= 23
    command = line.split(None, 5)[5]
    assert command.startswith("cd '/srv/fact checks' && ")
    words = shlex.split(command.replace("{", "").replace("}", ""))  # the shell can parse it
    recheck = words.index("recheck")
    report = words.index("report")
    register = words.index("check")
    assert register < recheck < report  # documents, then recheck, then report
    assert "AUDITOR_HOME=/srv/auditor-home" in words


def test_crontab_escapes_percent_signs() -> None:
    line = crontab(ScheduleSpec(home="/data/100%"))
    assert "100\\%" in line and "100%'" not in line


def test_systemd_units_have_their_sections_and_run_both_steps() -> None:
    units = systemd_units(SPEC)
    assert set(units) == {"auditor-linkrot.service", "auditor-linkrot.timer"}
    service = configparser.ConfigParser(strict=False, interpolation=None)
    service.read_string(units["auditor-linkrot.service"])
    assert service.sections() == ["Unit", "Service"]
    assert service["Service"]["Type"] == "oneshot"
    assert service["Service"]["WorkingDirectory"] == "/srv/fact checks"
    assert service["Service"]["SuccessExitStatus"] == "2"
    execs = [
        line
        for line in units["auditor-linkrot.service"].splitlines()
        if line.startswith("ExecStart=")
    ]
    assert len(execs) == 3 and "links recheck" in execs[1] and "links report" in execs[2]
    timer = configparser.ConfigParser(strict=False, interpolation=None)
    timer.read_string(units["auditor-linkrot.timer"])
    assert timer.sections() == ["Unit", "Timer", "Install"]
    assert timer["Timer"]["OnCalendar"] == "*-*-* 04:05:00"
    assert timer["Timer"]["Persistent"] == "true"
    assert timer["Install"]["WantedBy"] == "timers.target"
    printed = systemd(SPEC)
    assert "# ~/.config/systemd/user/auditor-linkrot.timer" in printed


def test_systemd_doubles_percent_signs() -> None:
    unit = systemd_units(ScheduleSpec(home="/data/100%"))["auditor-linkrot.service"]
    assert "100%%" in unit


def test_github_workflow_parses_with_a_schedule_and_runs_both_steps() -> None:
    text = github_actions(ScheduleSpec(hour=4, minute=5, documents=("articles/",)))
    workflow = yaml.safe_load(text)
    assert workflow["on"]["schedule"][0]["cron"] == "5 4 * * *"
    fields = workflow["on"]["schedule"][0]["cron"].split()
    assert len(fields) == 5
    assert "workflow_dispatch" in workflow["on"]
    (job,) = workflow["jobs"].values()
    runs = [step.get("run", "") for step in job["steps"]]
    order = [i for i, run in enumerate(runs) if "links recheck" in run]
    report = [i for i, run in enumerate(runs) if "links report" in run]
    register = [i for i, run in enumerate(runs) if "links check --offline" in run]
    assert register < order < report
    uses = [step.get("uses", "") for step in job["steps"]]
    assert any(u.startswith("actions/cache/restore") for u in uses)
    assert any(u.startswith("actions/cache/save") for u in uses)
    assert job["env"]["AUDITOR_HOME"].endswith("/.auditor")
    assert workflow["concurrency"]["cancel-in-progress"] is False


@pytest.mark.parametrize(
    ("text", "expected"), [("03:17", (3, 17)), ("0:00", (0, 0)), ("23:59", (23, 59))]
)
def test_times_of_day(text: str, expected: tuple[int, int]) -> None:
    assert parse_time(text) == expected


@pytest.mark.parametrize("text", ["24:00", "3h17", "12:60", ""])
def test_bad_times_are_refused(text: str) -> None:
    with pytest.raises(ConfigError):
        parse_time(text)

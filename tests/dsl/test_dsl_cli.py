"""The language's command line: lint, fmt, test and map, run as a user runs them."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


def mapwright(*args: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "mapwright", *args],
        capture_output=True,
        text=True,
        input=stdin,
        timeout=120,
    )


def test_lint_prints_gcc_style_positions_and_fails(tmp_path: Path) -> None:
    bad = tmp_path / "bad.map"
    bad.write_text("A <- 1 +\nB <- nofn(x)\n")
    result = mapwright("lint", str(bad))
    assert result.returncode == 1
    lines = result.stdout.splitlines()
    assert lines[0].startswith(f"{bad}:1:9: error: ")
    assert lines[1].startswith(f"{bad}:2:6: error: there is no function 'nofn'")


def test_lint_passes_a_clean_script() -> None:
    result = mapwright("lint", str(EXAMPLES / "customer_to_exact.map"))
    assert result.returncode == 0, result.stdout
    assert result.stdout == ""


def test_fmt_check_and_rewrite(tmp_path: Path) -> None:
    script = tmp_path / "s.map"
    script.write_text("A<-1+2   # sum\nB <-   upper( x )\n")
    check = mapwright("fmt", "--check", str(script))
    assert check.returncode == 1 and "would reformat" in check.stdout
    assert mapwright("fmt", str(script)).returncode == 0
    assert script.read_text() == "A <- 1 + 2  # sum\nB <- upper(x)\n"
    assert mapwright("fmt", "--check", str(script)).returncode == 0


def test_test_command_runs_embedded_examples_and_shows_a_diff(tmp_path: Path) -> None:
    ok = mapwright("test", str(EXAMPLES / "customer_to_exact.map"))
    assert ok.returncode == 0, ok.stdout + ok.stderr
    assert "2 passed, 0 failed" in ok.stdout
    failing = tmp_path / "f.map"
    failing.write_text('A <- upper(x)\ntest "upper" { input: { x: "a" }, expect: { A: "b" } }\n')
    result = mapwright("test", str(failing))
    assert result.returncode == 1
    assert '-  "A": "b"' in result.stdout and '+  "A": "A"' in result.stdout


def test_test_command_reads_a_sidecar_file(tmp_path: Path) -> None:
    script = tmp_path / "s.map"
    script.write_text("A <- x * 2\n")
    (tmp_path / "s.map.tests.json").write_text(
        json.dumps([{"name": "doubles", "input": {"x": 2}, "expect": {"A": 4}}])
    )
    result = mapwright("test", str(script))
    assert result.returncode == 0 and "PASS" in result.stdout


def test_map_prints_one_result_per_record_and_fails_on_bad_records() -> None:
    result = mapwright(
        "map", str(EXAMPLES / "customer_to_exact.map"), "--input", str(EXAMPLES / "debtors.jsonl")
    )
    rows = [json.loads(line) for line in result.stdout.splitlines()]
    assert [r["Country"] for r in rows] == ["DE", "NL", "AT"]
    assert result.returncode == 1
    assert "record 4" in result.stderr and "line 10" in result.stderr
    assert "Atlantis" in result.stderr


def test_map_with_settings_file_and_stdin(tmp_path: Path) -> None:
    script = tmp_path / "s.map"
    script.write_text("setting factor: number = 1\nA <- x * settings.factor\n")
    settings = tmp_path / "settings.json"
    settings.write_text('{"factor": 3}')
    result = mapwright(
        "map",
        str(script),
        "--input",
        "-",
        "--settings",
        str(settings),
        stdin='[{"x": 1.5}, {"x": 2}]',
    )
    assert result.returncode == 0, result.stderr
    assert [json.loads(x) for x in result.stdout.splitlines()] == [{"A": 4.5}, {"A": 6}]


def test_map_reports_bad_settings_by_name(tmp_path: Path) -> None:
    script = tmp_path / "s.map"
    script.write_text("setting factor: number = 1\nA <- 1\n")
    settings = tmp_path / "settings.json"
    settings.write_text('{"factor": "x"}')
    result = mapwright("map", str(script), "--input", "-", "--settings", str(settings), stdin="{}")
    assert result.returncode == 2
    assert "setting 'factor'" in result.stderr

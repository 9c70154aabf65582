"""The language's command line: lint, fmt, test and map, run as a user runs them."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

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


# ---- record and script text is never terminal markup ---------------------------------------


def test_map_prints_markup_like_record_text_as_it_is_and_goes_on(tmp_path: Path) -> None:
    script = tmp_path / "s.map"
    script.write_text("A <- a\nB <- a * 1\n")
    records = tmp_path / "in.jsonl"
    records.write_text('{"a": "[/x]"}\n{"a": "[bold]hi[/bold]"}\n{"a": 2}\n')
    result = mapwright("map", str(script), "--input", str(records))
    assert "MarkupError" not in result.stderr and "Traceback" not in result.stderr
    assert result.stdout.splitlines() == ['{"A": 2, "B": 2}']
    assert 'value: "[/x]"' in result.stderr
    assert 'value: "[bold]hi[/bold]"' in result.stderr
    assert "record 3" not in result.stderr


def test_a_rule_with_brackets_is_printed_whole(tmp_path: Path) -> None:
    script = tmp_path / "s.map"
    script.write_text("A <- l[x * 1]\n")
    result = mapwright("map", str(script), "--input", "-", stdin='{"l": [1], "x": "zz"}')
    assert result.returncode == 1
    assert "rule:  A <- l[x * 1]" in result.stderr


def test_errors_quoting_script_text_are_printed_as_they_are(tmp_path: Path) -> None:
    script = tmp_path / "s.map"
    script.write_text('A <- 1 "[/red]"\n')
    for command in (["test", str(script)], ["map", str(script), "--input", "-"]):
        result = mapwright(*command, stdin="{}")
        assert "MarkupError" not in result.stderr and "Traceback" not in result.stderr
        assert 'unexpected text "[/red]"' in result.stderr
    result = mapwright("lint", str(script))
    assert 'unexpected text "[/red]"' in result.stdout


# ---- input the reader refuses is a clear error with its place ------------------------------


def test_a_bad_second_line_of_jsonl_is_reported_as_line_2_and_the_rest_is_mapped(
    tmp_path: Path,
) -> None:
    script = tmp_path / "s.map"
    script.write_text("A <- a\n")
    records = tmp_path / "in.jsonl"
    records.write_text('{"a": 1}\n{"a": oops}\n{"a": 3}\n')
    result = mapwright("map", str(script), "--input", str(records))
    assert result.returncode == 1
    assert f"{records}:2:7: not valid JSON: Expecting value" in result.stderr
    assert [json.loads(x) for x in result.stdout.splitlines()] == [{"A": 1}, {"A": 3}]


def test_non_numbers_in_records_name_the_record_and_field(tmp_path: Path) -> None:
    script = tmp_path / "s.map"
    script.write_text("A <- a\n")
    listed = tmp_path / "in.json"
    listed.write_text('[{"a": 1}, {"a": {"b": NaN}}]')
    result = mapwright("map", str(script), "--input", str(listed))
    assert result.returncode == 2
    assert "record 2, field a.b: NaN is not a number JSON allows" in result.stderr
    lines = tmp_path / "in.jsonl"
    lines.write_text('{"a": 1}\n{"a": Infinity}\n')
    result = mapwright("map", str(script), "--input", str(lines))
    assert f"{lines}:2: field a: Infinity is not a number JSON allows" in result.stderr
    assert result.stdout.splitlines() == ['{"A": 1}']


def test_huge_and_long_numbers_in_records_stay_exact(tmp_path: Path) -> None:
    script = tmp_path / "s.map"
    script.write_text("A <- a\nB <- b\nC <- c\n")
    result = mapwright(
        "map",
        str(script),
        "--input",
        "-",
        stdin='{"a": 1e400, "b": 1.23456789012345678901e5, "c": 12345678901234567890e0}',
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == (
        '{"A": 1E+400, "B": 123456.789012345678901, "C": 12345678901234567890}'
    )


def test_a_non_utf8_script_is_a_clear_error(tmp_path: Path) -> None:
    script = tmp_path / "latin1.map"
    script.write_bytes('A <- "Müller"\n'.encode("latin-1"))
    for command in (["lint", str(script)], ["map", str(script), "--input", "-"]):
        result = mapwright(*command, stdin="{}")
        assert result.returncode == 2
        assert f"{script}:1:8: not UTF-8 text (byte 0xfc)" in result.stderr
        assert "Traceback" not in result.stderr


def test_a_non_utf8_input_file_is_a_clear_error(tmp_path: Path) -> None:
    script = tmp_path / "s.map"
    script.write_text("A <- a\n")
    records = tmp_path / "in.jsonl"
    records.write_bytes('{"a": 1}\n{"a": "Müller"}\n'.encode("latin-1"))
    result = mapwright("map", str(script), "--input", str(records))
    assert result.returncode == 2
    assert f"{records}:2:9: not UTF-8 text (byte 0xfc)" in result.stderr


def test_half_a_surrogate_pair_in_a_record_is_printed_escaped(tmp_path: Path) -> None:
    script = tmp_path / "s.map"
    script.write_text("A <- a\n")
    result = mapwright("map", str(script), "--input", "-", stdin='{"a": "x\\ud800"}')
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == '{"A": "x\\ud800"}'


def test_a_lone_surrogate_escape_in_a_script_is_a_lint_error(tmp_path: Path) -> None:
    script = tmp_path / "s.map"
    script.write_text('A <- "\\ud800"\n')
    result = mapwright("lint", str(script))
    assert result.returncode == 1
    assert f"{script}:1:6: error: '\\ud800' is half of a surrogate pair" in result.stdout


# ---- bombs through the command line ------------------------------------------------------


def test_map_stops_an_exponential_def_chain_with_a_positioned_limit_error(tmp_path: Path) -> None:
    script = tmp_path / "bomb.map"
    script.write_text(
        "def f0(x) = x + 1\n"
        + "".join(f"def f{n}(x) = f{n - 1}(x) + f{n - 1}(x)\n" for n in range(1, 41))
        + "A <- f40(1)\n"
    )
    result = mapwright("map", str(script), "--input", "-", stdin='{}\n{"b": 1}')
    assert result.returncode == 1
    assert f"record 1: {script}, line 42, column 1: this record took more than" in result.stderr
    assert "limit: steps per record = 1,000,000" in result.stderr
    assert "record 2:" in result.stderr


@pytest.mark.parametrize(
    ("source", "message"),
    [
        ("A <- " + "if x then 1 else " * 500 + "2", "nested 49 deep; the limit is 48"),
        ("A <- " + "each xs as x => " * 50 + "1", "inside 16 other each loops"),
        ("A <- " + "1" * 4301, "4,301 digits; the limit is 100"),
    ],
)
def test_lint_reports_shapes_that_used_to_crash(tmp_path: Path, source: str, message: str) -> None:
    script = tmp_path / "s.map"
    script.write_text(source + "\n")
    result = mapwright("lint", str(script))
    assert result.returncode == 1
    assert result.stdout.startswith(f"{script}:1:") and message in result.stdout
    assert "Traceback" not in result.stderr


def test_lint_accepts_long_flat_chains(tmp_path: Path) -> None:
    script = tmp_path / "s.map"
    script.write_text("A <- x" + ".a" * 100 + "\nB <- " + " + ".join(["1"] * 500) + "\n")
    assert mapwright("lint", str(script)).returncode == 0

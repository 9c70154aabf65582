"""``mapwright map`` reads JSON Lines and JSON arrays one record at a time and prints each
result as its record is read: a record's result comes out before the next record is even
written to the pipe. Errors keep their line and column (or record number)."""

from __future__ import annotations

import json
import subprocess
import sys
import threading
from pathlib import Path

import pytest


def mapwright(*args: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "mapwright", *args],
        capture_output=True,
        text=True,
        input=stdin,
        timeout=120,
    )


@pytest.fixture
def script(tmp_path: Path) -> Path:
    path = tmp_path / "s.map"
    path.write_text("A <- a * 2\n")
    return path


class Piped:
    """``mapwright map SCRIPT --input -`` with its standard input and output as pipes."""

    def __init__(self, script: Path):
        self.process = subprocess.Popen(
            [sys.executable, "-m", "mapwright", "map", str(script), "--input", "-"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )

    def write(self, text: str) -> None:
        assert self.process.stdin is not None
        self.process.stdin.write(text)
        self.process.stdin.flush()

    def read_line(self, timeout: float = 60) -> str:
        """The next result line; fails (instead of hanging) when none comes."""
        found: list[str] = []
        reader = threading.Thread(target=lambda: found.append(self.process.stdout.readline()))  # type: ignore[union-attr]
        reader.start()
        reader.join(timeout)
        if reader.is_alive():
            self.process.kill()
            pytest.fail("no result while the input was still open: the input was read whole")
        return found[0]

    def close(self) -> subprocess.CompletedProcess[str]:
        out, err = self.process.communicate(timeout=60)
        return subprocess.CompletedProcess(self.process.args, self.process.returncode, out, err)


def test_jsonl_on_a_pipe_is_mapped_record_by_record(script: Path) -> None:
    piped = Piped(script)
    piped.write('{"a": 1}\n')
    assert json.loads(piped.read_line()) == {"A": 2}
    piped.write('{"a": 2}\n')
    assert json.loads(piped.read_line()) == {"A": 4}
    piped.write('{"a": oops}\n{"a": 3}\n')
    assert json.loads(piped.read_line()) == {"A": 6}
    done = piped.close()
    assert done.returncode == 1
    assert "<stdin>:3:7: not valid JSON: Expecting value" in done.stderr


def test_an_array_on_a_pipe_is_mapped_element_by_element(script: Path) -> None:
    piped = Piped(script)
    piped.write('[\n  {"a": 1},\n')
    assert json.loads(piped.read_line()) == {"A": 2}
    piped.write('  {"a": 2.5}\n')
    assert json.loads(piped.read_line()) == {"A": 5.0}
    piped.write("]\n")
    done = piped.close()
    assert done.returncode == 0, done.stderr
    assert done.stdout == ""


@pytest.mark.parametrize(
    "text",
    [
        '[{"a": 1}, {"a": 2}, {"a": 3}]',
        '\n\n[\n  {"a": 1},\n  {"a": 2},\n  {"a": 3}\n]\n',
        "[" + ", ".join(f'{{"a": {n}}}' for n in (1, 2, 3)) + "]  \n",
    ],
)
def test_arrays_compact_or_pretty_give_every_record(
    tmp_path: Path, script: Path, text: str
) -> None:
    records = tmp_path / "in.json"
    records.write_text(text)
    result = mapwright("map", str(script), "--input", str(records))
    assert result.returncode == 0, result.stderr
    assert [json.loads(line) for line in result.stdout.splitlines()] == [
        {"A": 2},
        {"A": 4},
        {"A": 6},
    ]


def test_a_long_array_on_one_line_streams_and_keeps_exact_numbers(
    tmp_path: Path, script: Path
) -> None:
    records = tmp_path / "in.json"
    records.write_text("[" + ", ".join(f'{{"a": {n}.10}}' for n in range(5000)) + "]")
    result = mapwright("map", str(script), "--input", str(records))
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert len(lines) == 5000
    assert lines[4999] == '{"A": 9998.20}'


def test_an_error_in_an_array_names_its_line_and_column_after_the_good_records(
    tmp_path: Path, script: Path
) -> None:
    records = tmp_path / "in.json"
    records.write_text('\n[\n  {"a": 1},\n  {"a": oops},\n  {"a": 3}\n]\n')
    result = mapwright("map", str(script), "--input", str(records))
    assert result.returncode == 2
    assert f"{records}:4:9: not valid JSON: Expecting value" in result.stderr
    assert result.stdout.splitlines() == ['{"A": 2}']
    # deep into one long line: the column counts from the line's start
    records.write_text("[" + '{"a": 1}, ' * 3000 + "{oops}]")
    result = mapwright("map", str(script), "--input", str(records))
    assert result.returncode == 2
    assert f"{records}:1:{1 + 10 * 3000 + 2}: not valid JSON" in result.stderr
    records.write_text('[{"a": 1}] {"a": 2}')
    result = mapwright("map", str(script), "--input", str(records))
    assert f"{records}:1:12: not valid JSON: Extra data" in result.stderr


def test_a_non_utf8_byte_in_an_array_names_its_line_and_column(
    tmp_path: Path, script: Path
) -> None:
    records = tmp_path / "in.json"
    records.write_bytes('[{"a": 1},\n {"a": 2, "n": "Müller"}]'.encode("latin-1"))
    result = mapwright("map", str(script), "--input", str(records))
    assert result.returncode == 2
    assert f"{records}:2:18: not UTF-8 text (byte 0xfc)" in result.stderr


def test_a_pretty_printed_object_on_standard_input_is_one_record(script: Path) -> None:
    result = mapwright("map", str(script), "--input", "-", stdin='{\n  "a": 4\n}\n')
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == ['{"A": 8}']

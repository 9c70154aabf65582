"""``mapwright lint | fmt | test | map``: the language's command-line tools.

Script text, record data and error messages are printed as they are: the rich console is
created with markup off, so ``[bold]`` or ``[/x]`` in a record or a rule is never read as
terminal markup (and cannot stop the output). Files and standard input are read as UTF-8;
anything else is a clear error naming the place of the first undecodable byte.
"""

from __future__ import annotations

import codecs
import io
import itertools
import sys
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any, BinaryIO

import simplejson
import typer
from mapwright.dsl import MappingError, PositionedError, compile, lint
from mapwright.dsl.formatter import format_source
from mapwright.dsl.jsonio import JSONValueError, dumps, iter_array, loads
from mapwright.dsl.settings import SettingsError
from mapwright.dsl.testing import run_tests, sidecar_tests
from rich.console import Console

err = Console(stderr=True, highlight=False, soft_wrap=True, markup=False, emoji=False)


def _decode(data: bytes, where: str) -> str:
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        column = exc.start - (data.rfind(b"\n", 0, exc.start) + 1) + 1
        err.print(
            f"{where}:{line}:{column}: not UTF-8 text (byte 0x{data[exc.start]:02x}); "
            "save the file as UTF-8",
            style="red",
        )
        raise typer.Exit(2) from None


def _read(path: Path) -> str:
    try:
        data = path.read_bytes()
    except OSError as exc:
        err.print(f"{path}: cannot read: {exc.strerror}", style="red")
        raise typer.Exit(2) from None
    return _decode(data, str(path))


def _out(text: str) -> None:
    """Print a line to standard output as it is (no markup); characters the output's
    encoding cannot hold are written as escapes instead of stopping the command."""
    try:
        sys.stdout.write(text + "\n")
    except UnicodeEncodeError:
        encoding = sys.stdout.encoding or "utf-8"
        sys.stdout.write(text.encode(encoding, "backslashreplace").decode(encoding) + "\n")


def _scripts(paths: list[Path]) -> list[Path]:
    found: list[Path] = []
    for path in paths:
        if path.is_dir():
            found.extend(sorted(path.rglob("*.map")))
        else:
            found.append(path)
    return found


def lint_command(files: list[Path] = typer.Argument(..., help="Scripts to check.")) -> None:
    """Check scripts; print FILE:LINE:COL: error: message for every problem."""
    failed = False
    for path in _scripts(files):
        for d in lint(_read(path), name=str(path)):
            failed = True
            _out(f"{path}:{d.line}:{d.column}: {d.severity}: {d.message}")
    raise typer.Exit(1 if failed else 0)


def fmt_command(
    files: list[Path] = typer.Argument(..., help="Scripts to format in place."),
    check: bool = typer.Option(False, "--check", help="Only report files that would change."),
) -> None:
    """Rewrite scripts in the canonical layout (or, with --check, list those that differ)."""
    changed = False
    for path in _scripts(files):
        text = _read(path)
        try:
            pretty = format_source(text, name=str(path))
        except PositionedError as exc:
            err.print(f"{path}:{exc.line}:{exc.column}: error: {exc.message}")
            raise typer.Exit(2) from None
        if pretty != text:
            changed = True
            if check:
                _out(f"would reformat {path}")
            else:
                path.write_text(pretty, "utf-8")
                _out(f"reformatted {path}")
    raise typer.Exit(1 if (check and changed) else 0)


def test_command(paths: list[Path] = typer.Argument(..., help="Scripts or folders.")) -> None:
    """Run the examples embedded in scripts (and their .tests.json sidecars)."""
    passed = failed = 0
    for path in _scripts(paths):
        try:
            script = compile(_read(path), name=str(path))
            results = run_tests(script, sidecar_tests(path))
        except (PositionedError, MappingError) as exc:
            err.print(f"{path}: {exc}", style="red")
            failed += 1
            continue
        for result in results:
            where = f"{path}:{result.line}" if result.line else str(path)
            if result.passed:
                passed += 1
                _out(f"PASS {where} {result.name}")
            else:
                failed += 1
                _out(f"FAIL {where} {result.name}")
                if result.error:
                    _out("  " + result.error.replace("\n", "\n  "))
                if result.diff:
                    _out(result.diff)
    _out(f"{passed} passed, {failed} failed")
    raise typer.Exit(1 if failed else 0)


def map_command(
    script_path: Path = typer.Argument(..., metavar="SCRIPT", help="The mapping script."),
    input_path: Path = typer.Option(
        ...,
        "--input",
        help="Records: a .json (object or list) or .jsonl file; - reads standard input. "
        "JSON Lines and arrays are read one record at a time.",
    ),
    settings_path: Path | None = typer.Option(None, "--settings", help="Settings as JSON."),
) -> None:
    """Map records: print one JSON result per input record; errors go to stderr."""
    try:
        script = compile(_read(script_path), name=str(script_path))
    except PositionedError as exc:
        for e in getattr(exc, "errors", [exc]):
            err.print(f"{script_path}:{e.line}:{e.column}: error: {e.message}")
        raise typer.Exit(2) from None
    settings: dict[str, Any] | None = None
    if settings_path is not None:
        try:
            settings = loads(_read(settings_path))
            script.resolve_settings(settings)
        except SettingsError as exc:
            for name, message in exc.errors:
                err.print(f"{settings_path}: setting '{name}': {message}")
            raise typer.Exit(2) from None
        except ValueError as exc:
            where = str(settings_path)
            if isinstance(exc, simplejson.JSONDecodeError):
                where += f":{exc.lineno}:{exc.colno}"
            err.print(f"{where}: {_json_problem(exc)}")
            raise typer.Exit(2) from None
    failures = 0
    piped = str(input_path) == "-"
    try:
        for number, record in _records(input_path):
            if isinstance(record, _BadRecord):
                failures += 1
                err.print(record.message)
                continue
            try:
                outcome = script.run(record, settings=settings)
            except MappingError as exc:
                failures += 1
                err.print(f"record {number}: {exc}")
                continue
            _out(dumps(outcome.to_json()))
            if piped:
                sys.stdout.flush()  # a pipeline sees each result as its record is read
    except _BadInput as exc:
        sys.stdout.flush()
        err.print(str(exc))
        raise typer.Exit(2) from None
    raise typer.Exit(1 if failures else 0)


class _BadRecord:
    """One line of a ``.jsonl`` input that could not be read: reported, the rest goes on."""

    def __init__(self, message: str):
        self.message = message


class _BadInput(Exception):
    """The input cannot be read on (not UTF-8, or a JSON document that is not valid)."""


def _records(path: Path) -> Iterator[tuple[int, Any]]:
    """The records of ``path`` numbered from 1 (for JSON Lines the number is the line),
    read one at a time: JSON Lines line by line, a JSON array element by element; only a
    single JSON document that is not an array is read whole."""
    stdin = str(path) == "-"
    label = "<stdin>" if stdin else str(path)
    try:
        stream: BinaryIO = sys.stdin.buffer if stdin else path.open("rb")
    except OSError as exc:
        err.print(f"{path}: cannot read: {exc.strerror}", style="red")
        raise typer.Exit(2) from None
    if not hasattr(stream, "peek"):
        stream = io.BufferedReader(stream)  # type: ignore[type-var]
    try:
        first, skipped = _first_byte(stream)
        if path.suffix == ".jsonl":
            yield from _jsonl(_lines(stream, label, skipped), label)
        elif first == b"[":
            yield from _array(stream, label, skipped)
        elif stdin and first == b"{":
            yield from _sniffed(_lines(stream, label, skipped), label)
        else:
            text = _decode(stream.read(), label)
            yield from _whole("\n" * skipped + text, label)
    finally:
        if not stdin:
            stream.close()


def _first_byte(stream: BinaryIO) -> tuple[bytes, int]:
    """The first byte that is not white space (not consumed; ``b""`` at the end), after
    consuming the blank lines before it; returns it and how many lines were consumed."""
    skipped = 0
    while True:
        data = stream.peek(1)  # type: ignore[attr-defined]
        if not data:
            return b"", skipped
        rest = data.lstrip(b" \t\r\n")
        cut = data.rfind(b"\n", 0, len(data) - len(rest)) + 1
        skipped += data.count(b"\n", 0, cut)
        stream.read(cut if rest else cut or len(data))
        if rest:
            return rest[:1], skipped


def _lines(stream: BinaryIO, label: str, skipped: int) -> Iterator[tuple[int, str]]:
    """Numbered lines (split at "\\n" only: JSON text may hold U+2028 and other separators)."""
    for number, data in enumerate(stream, skipped + 1):
        try:
            yield number, data.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise _BadInput(
                f"{label}:{number}:{exc.start + 1}: not UTF-8 text (byte "
                f"0x{data[exc.start]:02x}); save the file as UTF-8"
            ) from None


def _jsonl(lines: Iterable[tuple[int, str]], label: str) -> Iterator[tuple[int, Any]]:
    for number, line in lines:
        if line.strip():
            try:
                yield number, loads(line)
            except ValueError as exc:
                where = f"{label}:{number}"
                if isinstance(exc, simplejson.JSONDecodeError):
                    where += f":{exc.colno}"
                yield number, _BadRecord(f"{where}: {_json_problem(exc)}")


def _sniffed(lines: Iterator[tuple[int, str]], label: str) -> Iterator[tuple[int, Any]]:
    """Standard input starting with an object: JSON Lines when its first line is a record
    of its own and more follows, else one (pretty-printed) JSON document."""
    number, line = next(lines)
    try:
        loads(line)
    except ValueError:
        text = "\n" * (number - 1) + line + "".join(rest for _, rest in lines)
        if "\n{" in text.strip():
            yield from _jsonl(enumerate(text.split("\n"), 1), label)
        else:
            yield from _whole(text, label)
        return
    yield from _jsonl(itertools.chain([(number, line)], lines), label)


def _whole(text: str, label: str) -> Iterator[tuple[int, Any]]:
    try:
        data = loads(text)
    except ValueError as exc:
        where = label
        if isinstance(exc, simplejson.JSONDecodeError):
            where += f":{exc.lineno}:{exc.colno}"
        listed = text.lstrip().startswith("[")
        raise _BadInput(f"{where}: {_json_problem(exc, listed=listed)}") from None
    if isinstance(data, list):
        yield from enumerate(data, 1)
    else:
        yield 1, data


def _array(stream: BinaryIO, label: str, skipped: int) -> Iterator[tuple[int, Any]]:
    """The elements of a JSON array, parsed as the text arrives (``jsonio.iter_array``)."""
    try:
        yield from enumerate(iter_array(_text(stream, label, skipped)), 1)
    except ValueError as exc:
        where = label
        if isinstance(exc, simplejson.JSONDecodeError):
            where += f":{exc.lineno + skipped}:{exc.colno}"
        raise _BadInput(f"{where}: {_json_problem(exc, listed=True)}") from None


def _text(stream: BinaryIO, label: str, skipped: int, size: int = 1 << 16) -> Iterator[str]:
    """The stream as text in pieces; a byte that is not UTF-8 is named by line and column."""
    decoder = codecs.getincrementaldecoder("utf-8")()
    lines, column = skipped, 0  # line breaks before the piece, bytes since the last one
    while True:
        data = stream.read1(size)  # type: ignore[attr-defined]  # what is there: no waiting
        waiting = decoder.getstate()[0]
        try:
            yield decoder.decode(data, final=not data)
        except UnicodeDecodeError as exc:
            seen = waiting + data
            newline = seen.rfind(b"\n", 0, exc.start)
            line = lines + seen.count(b"\n", 0, exc.start) + 1
            at = exc.start - newline if newline >= 0 else column - len(waiting) + exc.start + 1
            raise _BadInput(
                f"{label}:{line}:{at}: not UTF-8 text (byte 0x{seen[exc.start]:02x}); "
                "save the file as UTF-8"
            ) from None
        if not data:
            return
        newline = data.rfind(b"\n")
        lines += data.count(b"\n")
        column = len(data) - newline - 1 if newline >= 0 else column + len(data)


def _json_problem(exc: ValueError, *, listed: bool = False) -> str:
    """What is wrong, without simplejson's own "line 1 column 9" (the caller says where);
    in a list of records (``listed``), a refused value names its record and field."""
    if isinstance(exc, simplejson.JSONDecodeError):
        return f"not valid JSON: {exc.msg}"
    if isinstance(exc, JSONValueError) and exc.path:
        path = exc.path
        if listed and path.startswith("["):
            index, _, rest = path[1:].partition("]")
            field = rest.lstrip(".")
            where = f"record {int(index) + 1}" + (f", field {field}" if field else "")
            return f"{where}: {exc.message}"
        return f"field {path}: {exc.message}"
    return f"not valid JSON: {exc}"


def register(app: typer.Typer) -> None:
    app.command("lint")(lint_command)
    app.command("fmt")(fmt_command)
    app.command("test")(test_command)
    app.command("map")(map_command)

"""docs/language.md stays true: every example in it is run here and compared.

How the page marks its examples (a fence's info string is the text after the three
backticks; renderers colour by its first word and ignore the rest):

* ```` ```map ```` is a script. Its first lines may be comments that carry the run's data as
  one-line JSON: ``# input: {...}`` (the record; ``{}`` when absent), ``# settings: {...}``
  and ``# lookups: {"system.object": [records]}``. The next fenced block must be
  ```` ```json ````: exactly what ``mapwright map`` prints for that record (the plain output,
  or ``{"operations": ...}``, ``{"skipped": ...}``, ``{"parked": ...}``). It is compared as
  JSON, key order aside, with numbers compared by their exact text (``12.0190`` is not
  ``12.019``). Lookups are answered from the ``# lookups`` records, as ``mapwright test``
  does. The script is compiled as ``example.map`` in a folder holding the page's files, so
  ``import`` works.
* ```` ```map file=NAME ```` is a script saved as NAME for the console examples (broken
  scripts for the error section, a script to import); it is not run by itself.
  ```` ```json file=NAME ```` saves a data file (records, settings, a tests sidecar).
* ```` ```console ```` holds ``$ mapwright ...`` commands (or ``$ echo '<json>' | mapwright
  ...``) each followed by its exact output, stdout and stderr together, run in that folder.
* ```` ```python ```` blocks are doctests (``>>>``). ```` ```sh ```` blocks are not run
  (installing, fuzzing).

Any other ```` ```map ```` block (no result and no file name) fails the test, so no example
on the page goes unchecked.
"""

from __future__ import annotations

import doctest
import os
import re
import shlex
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest
from mapwright import dsl
from mapwright.dsl.jsonio import dumps, loads
from mapwright.dsl.resolver import MemoryResolver
from mapwright.dsl.scanner import STATEMENT_KEYWORDS
from mapwright.dsl.settings import TYPES

DOC = Path(__file__).resolve().parents[2] / "docs" / "language.md"
FENCE = re.compile(r"^```([^\n`]*)\n(.*?)^```[ \t]*$", re.M | re.S)


@dataclass
class Block:
    lang: str
    attrs: dict[str, str]
    text: str
    line: int


def blocks() -> list[Block]:
    source = DOC.read_text("utf-8")
    found = []
    for m in FENCE.finditer(source):
        info = m.group(1).split()
        lang = info[0] if info else ""
        attrs = dict(a.split("=", 1) for a in info[1:] if "=" in a)
        found.append(Block(lang, attrs, m.group(2), source.count("\n", 0, m.start()) + 1))
    return found


BLOCKS = blocks()


def run_pairs() -> list[tuple[Block, Block]]:
    pairs = []
    for index, block in enumerate(BLOCKS):
        if block.lang != "map" or "file" in block.attrs:
            continue
        following = BLOCKS[index + 1] if index + 1 < len(BLOCKS) else None
        if following is None or following.lang != "json" or "file" in following.attrs:
            raise AssertionError(
                f"docs/language.md line {block.line}: a ```map block needs a ```json result "
                "block right after it, or a file=NAME in its info string"
            )
        pairs.append((block, following))
    return pairs


PAIRS = run_pairs()


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A folder holding every file=NAME block of the page."""
    path = tmp_path_factory.mktemp("language_docs")
    names: set[str] = set()
    for block in BLOCKS:
        name = block.attrs.get("file")
        if name is None:
            continue
        assert name not in names, f"line {block.line}: the file {name} is given twice"
        names.add(name)
        (path / name).write_text(block.text, "utf-8")
    return path


def _data(script: str, key: str, default: object) -> object:
    for line in script.splitlines():
        if not line.startswith("#"):
            break
        if line.startswith(f"# {key}:"):
            return loads(line.split(":", 1)[1])
    return default


@pytest.mark.parametrize(("script", "result"), PAIRS, ids=[f"line{s.line}" for s, _ in PAIRS])
def test_example_gives_the_documented_result(script: Block, result: Block, folder: Path) -> None:
    record = _data(script.text, "input", {})
    settings = _data(script.text, "settings", None)
    lookups = _data(script.text, "lookups", {})
    compiled = dsl.compile(script.text, name=str(folder / "example.map"))
    outcome = compiled.run(
        record,
        settings=settings,  # type: ignore[arg-type]
        resolver=MemoryResolver(lookups),  # type: ignore[arg-type]
    )
    actual = dumps(outcome.to_json(), sort_keys=True)
    expected = dumps(loads(result.text), sort_keys=True)
    assert actual == expected, f"docs/language.md line {script.line}"


def _console_steps(block: Block) -> list[tuple[str, str]]:
    steps: list[tuple[str, str]] = []
    for line in block.text.splitlines():
        if line.startswith("$ "):
            steps.append((line[2:], ""))
        else:
            assert steps, f"line {block.line}: console output before any $ command"
            command, output = steps[-1]
            steps[-1] = (command, output + line + "\n")
    return steps


CONSOLE = [b for b in BLOCKS if b.lang == "console"]


def _run_command(command: str, cwd: Path) -> str:
    stdin = None
    piped = re.fullmatch(r"echo '([^']*)' \| (mapwright .*)", command)
    if piped:
        stdin, command = piped.group(1) + "\n", piped.group(2)
    args = shlex.split(command)
    assert args[0] == "mapwright", f"only mapwright commands are run, not {command!r}"
    env = dict(os.environ, PYTHONUNBUFFERED="1", COLUMNS="200", NO_COLOR="1")
    done = subprocess.run(
        [sys.executable, "-m", "mapwright", *args[1:]],
        cwd=cwd,
        input=stdin,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        timeout=120,
        env=env,
    )
    return done.stdout


@pytest.mark.parametrize("block", CONSOLE, ids=[f"line{b.line}" for b in CONSOLE])
def test_console_example_prints_the_documented_output(block: Block, folder: Path) -> None:
    for command, expected in _console_steps(block):
        actual = _run_command(command, folder)
        want = "\n".join(x.rstrip() for x in expected.splitlines())
        got = "\n".join(x.rstrip() for x in actual.splitlines())
        assert got == want, f"docs/language.md line {block.line}: $ {command}"


PYTHON = [b for b in BLOCKS if b.lang == "python"]


@pytest.mark.parametrize("block", PYTHON, ids=[f"line{b.line}" for b in PYTHON])
def test_python_example_runs_as_shown(block: Block) -> None:
    parser = doctest.DocTestParser()
    test = parser.get_doctest(block.text, {}, f"language.md:{block.line}", str(DOC), block.line)
    assert test.examples, f"line {block.line}: a python block needs >>> examples"
    runner = doctest.DocTestRunner(optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)
    runner.run(test)
    assert runner.summarize(verbose=False).failed == 0


def test_the_page_has_examples_of_every_statement_and_setting_type() -> None:
    assert len(PAIRS) >= 40
    scripts = "\n".join(b.text for b in BLOCKS if b.lang == "map")
    for keyword in sorted(STATEMENT_KEYWORDS):
        assert re.search(rf"^\s*{keyword}\b", scripts, re.M), f"no example starts with {keyword}"
    for kind in TYPES:
        assert re.search(rf"setting \w+: {kind}\b", scripts), f"no setting of type {kind}"


def test_only_known_block_kinds_are_used() -> None:
    known = {"map", "json", "console", "python", "sh", "text"}
    odd = [(b.line, b.lang) for b in BLOCKS if b.lang not in known]
    assert not odd, f"unknown code block kinds (line, kind): {odd}"


def _slug(heading: str) -> str:
    """GitHub's anchor for a heading: lower case, punctuation dropped, spaces to dashes."""
    text = re.sub(r"[^\w\- ]", "", heading.strip().lower())
    return text.replace(" ", "-")


def test_links_inside_the_page_point_at_headings() -> None:
    source = DOC.read_text("utf-8")
    outside = FENCE.sub("", source)
    anchors = {_slug(h) for h in re.findall(r"^#{1,6} (.+)$", outside, re.M)}
    links = set(re.findall(r"\]\(#([^)]+)\)", outside))
    assert links, "the page links to its sections"
    assert not links - anchors, f"links to missing sections: {sorted(links - anchors)}"

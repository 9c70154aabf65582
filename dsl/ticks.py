"""Count a run of straight-line steps at once: one check of ``ctx.left`` for several rules.

Every statement that calls a function or picks counts one step (``Compiler.tick``):

    ctx.left -= 1
    if ctx.left < 0: ctx.checkpoint()

When ``k`` such ticks follow each other in one block, and nothing between them touches
``ctx`` or can leave the block other than by an exception, then if ``ctx.left >= k`` none of
the ``k`` ticks can reach the checkpoint, and after them ``ctx.left`` is ``k`` less: the
first tick does that in one go and the others only test a flag (their second line becomes
``pass``). When fewer than ``k`` steps
are left, each tick counts as before (so the steps limit stops on the same rule, and the
clock is read at the same step). An exception within the run leaves ``ctx.left`` lower than
the per-rule ticks would have, but a failed, skipped or parked record's context is not read
again (the next record restarts it). Each tick keeps its two lines, so the generated line
numbers (and the statements they map to) stay the same.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from mapwright.dsl.limits import CLOCK_EVERY

TICK = ("ctx.left -= 1", "if ctx.left < 0: ctx.checkpoint()")
RUN_HEADER = "def run(rec, S, ctx):"
"""The first line of the generated record function (``Compiler.compile``)."""
_LEAVES = re.compile(r"\b(return|break|continue|yield|ctx)\b")
"""A line between two ticks that could skip the second (or read the count) ends a run."""


def merge_ticks(out: list[str], ticks: list[int]) -> None:
    """Rewrite, in place, runs of the ticks at ``out[i]``, ``out[i + 1]`` (``i`` in ``ticks``,
    ascending) as described in the module docstring."""
    runs: list[list[int]] = []
    for index in ticks:
        indent = _indent(out[index])
        previous = runs[-1][-1] if runs else None
        if (
            previous is not None
            and _indent(out[previous]) == indent
            and all(
                _indent(line) >= indent and not _LEAVES.search(line)
                for line in out[previous + 2 : index]
            )
        ):
            runs[-1].append(index)
        else:
            runs.append([index])
    for number, run in enumerate(runs):
        if len(run) < 2:
            continue
        flag = f"_steps{number}"
        pad = " " * _indent(out[run[0]])
        assert all(out[i].strip() == TICK[0] and out[i + 1].strip() == TICK[1] for i in run)
        out[run[0]] = f"{pad}if ({flag} := ctx.left >= {len(run)}): ctx.left -= {len(run)}"
        out[run[0] + 1] = f"{pad}else: ctx.left -= 1; ctx.checkpoint() if ctx.left < 0 else None"
        for index in run[1:]:
            out[index] = (
                f"{pad}if not {flag}: ctx.left -= 1; ctx.checkpoint() if ctx.left < 0 else None"
            )
            out[index + 1] = f"{pad}pass"  # the tick's second line: line numbers stay


def tick_only_steps(out: list[str], ticks: list[int]) -> int | None:
    """The most steps a run of ``out`` can count, when its ticks (``ticks``, before or after
    ``merge_ticks``) are the only lines of the generated ``run`` that use ``ctx`` and there
    are fewer than ``CLOCK_EVERY``; else ``None``.

    Such a script has no loops, ``def``s, lookups or operations, and each tick runs at most
    once per record. A record starts with ``window - 1`` steps before the first checkpoint
    (``Context.restart``: ``window`` is ``CLOCK_EVERY``, or ``max_steps + 1`` when smaller),
    so when ``max_steps`` is at least this count no tick can reach the checkpoint: the limit
    cannot be hit and the clock is never read. The ticks then do nothing a caller can see,
    and the script may run without a context (``unticked``)."""
    if not ticks or len(ticks) >= CLOCK_EVERY:
        return None
    counted = {i for t in ticks for i in (t, t + 1)}
    for index, line in enumerate(out):
        if "\n" in line:
            return None  # the line numbers of the unticked source would not match
        if index not in counted and line != RUN_HEADER and _USES_CTX.search(line):
            return None  # a def (its header takes ctx), a loop, a lookup, an operation...
    return len(ticks)


def unticked(
    source: str, ticks: list[int], namespace: dict[str, Any], filename: str
) -> Callable[..., Any]:
    """``run`` of ``source`` (generated lines, ticks at ``ticks``) with every tick line made
    ``pass``: same line numbers (failures map back to the same statements), no ``ctx``
    needed. Only for code that ``tick_only_steps`` accepted."""
    out = source.split("\n")
    for t in ticks:
        for index in (t, t + 1):
            out[index] = " " * _indent(out[index]) + "pass"
    free = dict(namespace)
    exec(compile("\n".join(out), filename, "exec"), free)  # noqa: S102 - the checked code
    return free["run"]


_USES_CTX = re.compile(r"\bctx\b")


def _indent(line: str) -> int:
    return len(line) - len(line.lstrip(" "))


__all__ = ["RUN_HEADER", "TICK", "merge_ticks", "tick_only_steps", "unticked"]

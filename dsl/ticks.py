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

TICK = ("ctx.left -= 1", "if ctx.left < 0: ctx.checkpoint()")
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


def _indent(line: str) -> int:
    return len(line) - len(line.lstrip(" "))


__all__ = ["TICK", "merge_ticks"]

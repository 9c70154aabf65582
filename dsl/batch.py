"""Map many records with one script: the loop of ``Script.run_many``.

Each record gets what ``Script.run`` gives it (an ``Outcome``, or the same error) under the
same per-record limits: the context is restarted for every record (``Context.restart``:
no steps, items or operations yet, the clock from now) and every result is measured against
the output size limit. What ``run`` looks up on every call (the settings, the compiled code,
the limits) is looked up once. tests/dsl/test_run_many.py holds both to the same results.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import TYPE_CHECKING, Any, cast

from mapwright.dsl.errors import MappingRuntimeError
from mapwright.dsl.failures import output_error, runtime_error
from mapwright.dsl.plan import Outcome
from mapwright.dsl.resolver import LookupPending, Resolver
from mapwright.dsl.runtime import Context, ParkRecord, SkipRecord
from mapwright.dsl.sizes import OutputTooLarge, check_output
from mapwright.dsl.values import snippet

if TYPE_CHECKING:
    from mapwright.dsl.script import Script


def outcomes(
    script: Script,
    records: Iterable[Any],
    resolved: dict[str, Any],
    resolver: Resolver,
    errors: str = "raise",
) -> Iterator[Outcome | MappingRuntimeError]:
    """What ``script.run(record)`` gives for each record, in turn (see ``Script.run_many``):
    its body, with what stays the same from record to record looked up once."""
    keep = errors == "yield"
    code = script.code
    run, needs_context = code.runner(script.max_steps)
    measure = code.measure_output
    max_output = script.max_output
    context = (  # one for all records, restarted for each (see Context.restart)
        Context(
            resolver,
            max_seconds=script.max_seconds,
            max_items=script.max_items,
            max_steps=script.max_steps,
        )
        if needs_context
        else None
    )
    for record in records:
        if type(record) is not dict:
            error = MappingRuntimeError(
                f"the input record must be a JSON object, not {snippet(record)}",
                script=script.name,
            )
            if not keep:
                raise error
            yield error
            continue
        ctx = context.restart() if context is not None else None
        try:
            output = run(record, resolved, ctx)
            if measure:
                check_output(output, ctx.ops if ctx is not None else [], max_output)
        except OutputTooLarge as exc:
            if not keep:
                raise output_error(script, exc) from None
            yield output_error(script, exc)
        except SkipRecord as skip:
            yield Outcome(skipped=skip.reason)
        except ParkRecord as park:
            yield Outcome(parked=park.message)
        except (LookupPending, MappingRuntimeError) as exc:
            if not keep or isinstance(exc, LookupPending):
                raise
            yield exc
        except Exception as exc:  # a helper met a value it did not expect, or a limit hit
            if not keep:
                raise runtime_error(script, exc, exc.__traceback__) from None
            yield cast(MappingRuntimeError, runtime_error(script, exc, exc.__traceback__))
        else:
            yield Outcome(output, ctx.ops if ctx is not None else None)

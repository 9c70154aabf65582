"""The reference the runner's page mapping is held to: ``Script.run`` for each waiting
record, ``LookupPending`` on its first key not fetched yet, one bulk fetch per round (the
loop the runner had before it probed records), and the runner's own page mapping. Shared by
test_lookup_probe.py and test_runner_mapping.py."""

from __future__ import annotations

from typing import Any

from mapwright import dsl
from mapwright.dsl.plan import Outcome
from mapwright.dsl.resolver import LookupPending
from mapwright.engine.resolver import PageResolver
from mapwright.engine.retry import RetryPolicy
from mapwright.engine.runner import MAX_LOOKUP_ROUNDS, FlowRunner, RunContext, SourceItem
from mapwright.engine.store import Store


def view(result: Any) -> Any:
    """What a record ended in, comparable: an outcome's JSON, or an error's class and text."""
    if isinstance(result, Outcome):
        return ("outcome", result.to_json())
    return (type(result).__name__, str(result))


async def one_key_per_round(
    script: Any, records: list[dict[str, Any]], settings: dict[str, Any], lookups: PageResolver
) -> list[Any]:
    """The views of the records' results through the reference loop, fetching with
    ``lookups`` (raises ``AssertionError`` past the runner's ``MAX_LOOKUP_ROUNDS``)."""
    results: list[Any] = [None] * len(records)
    todo = list(range(len(records)))
    for _round in range(MAX_LOOKUP_ROUNDS):
        waiting = []
        for index in todo:
            try:
                results[index] = script.run(records[index], settings=settings, resolver=lookups)
            except LookupPending:
                waiting.append(index)
            except dsl.MappingError as exc:
                results[index] = exc
        if not waiting:
            break
        await lookups.fetch_pending()
        todo = waiting
    else:
        raise AssertionError("the reference needed more rounds than the runner allows")
    return [view(r) for r in results]


async def mapped_by_runner(
    store: Store,
    script: Any,
    records: list[dict[str, Any]],
    settings: dict[str, Any],
    lookups: PageResolver,
) -> list[Any]:
    """The views of what the runner's ``_map_all`` gives the records (a dry run, fetching
    with ``lookups`` from its connectors)."""
    ctx = RunContext(
        store=store,
        tenant="t",
        flow="reference",
        run_id="r",
        script=script,
        settings=settings,
        connectors=dict(lookups.connectors),
        retry=RetryPolicy(),
        dry_run=True,
    )
    items = [SourceItem(record, str(n)) for n, record in enumerate(records)]
    return [view(r) for r in await FlowRunner(ctx)._map_all(items, lookups, {})]

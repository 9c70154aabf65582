"""Checks made before the first write of a run.

A setting declared with ``refers system.object.Field`` (e.g. the orders flow's VAT code table,
``refers exact_online.vat_codes.Code``) names records that must exist in a connected system.
Before a run sends anything, every value of every such setting is looked up with one bulk
``find`` per setting; when any is missing the run stops with one message that names each
setting entry, the missing value and the fix, and nothing has been written.

Checking up front matters for bookkeeping: a VAT code that does not exist in the target would
otherwise fail (or, worse, be replaced by a default) record by record, after some documents of
the same run were already booked with other codes.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from mapwright.connectors.base import Connector
from mapwright.engine.errors import FlowInvalid
from mapwright.engine.retry import RetryPolicy


class SettingsMismatch(FlowInvalid):
    """Settings name records that do not exist in the connected system (nothing was sent)."""

    def __init__(self, problems: list[str]):
        self.problems = problems
        super().__init__(
            "the run was stopped before its first write: "
            + "; ".join(problems)
            + ". Create the missing records in the target system or change the settings."
        )


async def check_references(
    script: Any,
    settings: Mapping[str, Any],
    connectors: Mapping[str, Connector],
    retry: RetryPolicy,
) -> None:
    """Raise ``SettingsMismatch`` when a ``refers`` setting names a record that is missing."""
    problems: list[str] = []
    for spec in script.settings.values():
        if not spec.refers:
            continue
        pairs = spec.references(settings.get(spec.name))
        if not pairs:
            continue
        system, object_name, field = spec.refers.split(".", 2)
        connector = connectors.get(system)
        if connector is None:
            problems.append(
                f"setting {spec.name} refers to {system}.{object_name}, but the flow has no "
                f"'{system}' connection"
            )
            continue
        values = sorted({value for _, value in pairs})
        found = await _find(retry, connector, object_name, field, values)
        present = {str(key).strip() for key, rows in found.items() if rows}
        for where, value in pairs:
            if value.strip() not in present:
                problems.append(
                    f"setting {where} names {field} '{value}', which does not exist in "
                    f"{connector.title} {object_name}"
                )
    if problems:
        raise SettingsMismatch(problems)


async def _find(
    retry: RetryPolicy, connector: Connector, object_name: str, field: str, values: list[str]
) -> dict[Any, list[dict[str, Any]]]:
    async def once() -> dict[Any, list[dict[str, Any]]]:
        return await connector.find(object_name, field, values)

    return await retry.call(once)

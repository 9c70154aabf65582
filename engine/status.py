"""Run statuses: one enum instead of the same strings in many places.

``RunStatus`` is a ``StrEnum``: a member equals its stored text (``RunStatus.QUEUED ==
"queued"``), so rows read back from the store compare without conversion.
"""

from __future__ import annotations

from enum import StrEnum


class RunStatus(StrEnum):
    QUEUED = "queued"
    RUNNING = "running"
    SUCCEEDED = "succeeded"
    PARTIAL = "partial"
    FAILED = "failed"
    CANCELLED = "cancelled"

    @property
    def finished(self) -> bool:
        return self in TERMINAL


#: a run in one of these states is over: its counts and records are final
TERMINAL = frozenset(
    {RunStatus.SUCCEEDED, RunStatus.PARTIAL, RunStatus.FAILED, RunStatus.CANCELLED}
)
#: a run in one of these states still holds (or waits for) its flow's lock
ACTIVE = frozenset({RunStatus.QUEUED, RunStatus.RUNNING})

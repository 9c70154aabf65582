"""Per-field trace of a preview: which rule wrote which field (built in ``engine/trace.py``)."""

from __future__ import annotations

from mapwright.engine.trace import RuleSite, field_trace, rule_sites

__all__ = ["RuleSite", "field_trace", "rule_sites"]

"""The builtins' per-value caches, emptied between timed parts of a benchmark."""

from __future__ import annotations

from mapwright.dsl.functions.countries import _code_of
from mapwright.dsl.functions.people import _checked_email
from mapwright.dsl.functions.tax import _valid_vat_id


def forget_values() -> None:
    """Empty the builtins' per-value caches (e-mail, country, VAT id).

    A benchmark that times several ways over the same records, or the same world in several
    rounds, would otherwise find in a later part the values an earlier part remembered, which
    a first run never does. The per-script caches (compiled patterns, JMESPath) and what is
    built once per process (the country name index) stay."""
    for cached in (_checked_email, _code_of, _valid_vat_id):
        cached.cache_clear()

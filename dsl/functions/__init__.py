"""Builtin functions of the mapping language.

Importing this package registers every builtin in ``REGISTRY`` (name -> ``Function``). The
functions live in modules by theme; ``python -m mapwright.dsl.docs`` renders them into
``docs/functions.md``.
"""

from mapwright.dsl.functions import (  # noqa: F401  (imported to register the builtins)
    addresses,
    collections,
    countries,
    dates,
    ids,
    numbers,
    patterns,
    people,
    tax,
    text,
    units,
)
from mapwright.dsl.functions.registry import REGISTRY, Function, builtin

__all__ = ["REGISTRY", "Function", "builtin"]

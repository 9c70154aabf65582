"""mapwright's JSON: exact numbers (fractions are ``Decimal``), dates as ISO text, missing
fields dropped. One format for every part: the engine's store, the service's answers, the
command line's ``--json``.

The implementation is the language's (``dsl/jsonio.py``): the language defines exact
numbers and missing values, and ``dsl`` must stay importable on its own, so it cannot import
this module. Faces (``api``, the command line) import it from here, next to
``mapwright.engine``, so they need no import of the language package.
"""

from __future__ import annotations

from mapwright.dsl.jsonio import JSONValueError, dumps, dumps_ready, loads, plain

__all__ = ["JSONValueError", "dumps", "dumps_ready", "loads", "plain"]

"""Every safety limit of the language, with its default, in one place.

A script is data: whatever it says, compiling it and running it on one record must finish
quickly and in bounded memory. The limits below make that true; each one that is hit raises
a ``MappingLimitError`` whose ``limit`` is the name in ``NAMES`` and whose ``maximum`` is
the value here (at run time a ``RecordLimitError``, which also names the rule).
docs/language.md, "Limits", lists them for users.

Compile time (the script text):

* ``MAX_SCRIPT_CHARS``: characters in one script.
* ``MAX_NESTING``: how deeply brackets and expressions nest, counted through ``"{...}"``
  text interpolations. Long flat chains (``a + b + c ...``, ``x.a.b.c ...``) are not nesting.
* ``MAX_EACH_NESTING``: ``each`` loops inside ``each`` loops.
* ``MAX_NUMBER_DIGITS``: digits of a number written in a script; also the size of numbers
  a script computes with (see below).
* ``MAX_PATTERN_CHARS`` and ``MAX_PATTERN_REPEAT``: a regular expression's length, and the
  product of its nested counted repeats (``(?:a{100}){100}`` is 10,000). Literal patterns
  are checked when the script is compiled, patterns from data when they are used.

Run time (per record; ``Script`` has ``max_steps``, ``max_seconds``, ``max_items`` and
``max_output`` attributes with these defaults):

* ``MAX_STEPS``: steps of work. One step is one call of a ``def``, one round of an ``each``
  loop, one statement that calls a function or picks with JMESPath, and one step of a
  JMESPath evaluation. Counting is one integer decrement; the clock is read every
  ``CLOCK_EVERY`` steps and before every regular-expression call. A script of straight
  rules (no ``def``, ``each``, lookup or operation) with fewer counted statements than
  ``CLOCK_EVERY`` and than ``max_steps`` cannot reach either, so it runs without counting
  (``ticks.py``).
* ``MAX_SECONDS``: wall-clock time.
* ``MAX_EACH_ITEMS``: list items walked by all ``each`` loops together.
* ``MAX_TEXT``: characters of one text value (``&``, templates, ``text()``, builtins).
* ``MAX_LIST_SIZE``: values in one list or object, counted through nesting and once per
  use (``[a, a]`` counts ``a`` twice), so doubling a list cannot hide its size.
* ``MAX_OUTPUT``: the size of one record's result (output fields and operations) as JSON,
  in characters (estimated while counting, so it costs no serialisation).
* Numbers: every number a script computes must stay below ``10 ** MAX_NUMBER_DIGITS``;
  decimal arithmetic keeps ``NUMBER_PRECISION`` significant digits (Python's default, so
  results are unchanged) and refuses an exponent above ``MAX_NUMBER_DIGITS - 1``.
* ``MAX_PATTERN_INPUT`` and ``PATTERN_SECONDS``: the text one regular expression searches,
  and how long one match may run.
"""

from __future__ import annotations

import decimal
from typing import Final

MAX_SCRIPT_CHARS: Final = 256_000
MAX_NESTING: Final = 48
MAX_EACH_NESTING: Final = 16
MAX_NUMBER_DIGITS: Final = 100

MAX_STEPS: Final = 1_000_000
CLOCK_EVERY: Final = 256
MAX_SECONDS: Final = 5.0
MAX_EACH_ITEMS: Final = 200_000
MAX_TEXT: Final = 1_000_000
MAX_LIST_SIZE: Final = 100_000
MAX_OUTPUT: Final = 10_000_000

NUMBER_PRECISION: Final = 28
NUMBER_LIMIT: Final = 10**MAX_NUMBER_DIGITS

MAX_PATTERN_CHARS: Final = 1_000
MAX_PATTERN_REPEAT: Final = 10_000
MAX_PATTERN_INPUT: Final = 100_000
PATTERN_SECONDS: Final = 0.25

#: the name each limit has in errors (``MappingLimitError.limit``) and in the docs
NAMES: Final = {
    "script_chars": "script size",
    "nesting": "nesting depth",
    "each_nesting": "each inside each",
    "number_digits": "number size",
    "steps": "steps per record",
    "seconds": "time per record",
    "each_items": "list items per record",
    "text": "text length",
    "list_size": "list size",
    "output": "output size per record",
    "pattern": "pattern complexity",
}


def number_context() -> decimal.Context:
    """The decimal context scripts compute in: Python's precision, bounded exponents.

    An overflow, a division by zero and an invalid operation raise (and become errors that
    name the ``number size`` limit); a result too small to represent rounds towards zero.
    """
    return decimal.Context(
        prec=NUMBER_PRECISION,
        rounding=decimal.ROUND_HALF_EVEN,
        Emax=MAX_NUMBER_DIGITS - 1,
        Emin=-(MAX_NUMBER_DIGITS - 1),
        traps=[decimal.InvalidOperation, decimal.DivisionByZero, decimal.Overflow],
    )

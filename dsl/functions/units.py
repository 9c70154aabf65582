"""Unit conversion with exact factors: mass, length and volume.

Factors are exact by definition (1 lb = 0.45359237 kg, 1 in = 0.0254 m), so converting
``kg`` to ``g`` never drifts. Converting into a unit whose factor does not divide evenly
(``g`` to ``oz``) gives 28 significant digits; pass ``places`` to round half up.
"""

from __future__ import annotations

import decimal
from decimal import Decimal
from typing import Any

from mapwright.dsl.functions.arguments import fail, require_int, require_number, require_text
from mapwright.dsl.functions.numbers import quantize
from mapwright.dsl.functions.registry import builtin
from mapwright.dsl.values import MISSING, is_absent

_POUND = Decimal("0.45359237")
_INCH = Decimal("0.0254")

UNITS: dict[str, tuple[str, Decimal]] = {
    "kg": ("mass", Decimal(1)),
    "g": ("mass", Decimal("0.001")),
    "mg": ("mass", Decimal("0.000001")),
    "t": ("mass", Decimal(1000)),
    "lb": ("mass", _POUND),
    "oz": ("mass", _POUND / 16),
    "m": ("length", Decimal(1)),
    "km": ("length", Decimal(1000)),
    "cm": ("length", Decimal("0.01")),
    "mm": ("length", Decimal("0.001")),
    "in": ("length", _INCH),
    "ft": ("length", _INCH * 12),
    "yd": ("length", _INCH * 36),
    "l": ("volume", Decimal(1)),
    "cl": ("volume", Decimal("0.01")),
    "ml": ("volume", Decimal("0.001")),
    "m3": ("volume", Decimal(1000)),
}
"""Unit name -> (dimension, size in the dimension's base unit: kg, m or l)."""


def _unit(param: str, value: Any) -> tuple[str, Decimal]:
    name = require_text("convert_unit", param, value).strip().lower()
    if name not in UNITS:
        fail(
            "convert_unit", f"unknown unit {value!r} in '{param}'; known units: {', '.join(UNITS)}"
        )
    return UNITS[name]


@builtin(
    category="numbers",
    examples=[
        ('convert_unit(1.5, "kg", "g")', 1500),
        ('convert_unit(2, "lb", "kg")', Decimal("0.90718474")),
        ('convert_unit(1, "in", "mm")', Decimal("25.4")),
        ('convert_unit(500, "g", "oz", 2)', Decimal("17.64")),
        ('convert_unit(250, "ml", "l")', Decimal("0.25")),
    ],
)
def convert_unit(value: Any, from_unit: Any, to_unit: Any, places: Any = MISSING) -> Any:
    """Convert a quantity between units of mass, length or volume, with exact factors.

    Units: mass kg, g, mg, t, lb, oz; length m, km, cm, mm, in, ft, yd; volume l, cl, ml,
    m3. Exact where the factors allow; ``places`` rounds the result half up.
    """
    if is_absent(value):
        return value
    amount = require_number("convert_unit", "value", value)
    source_kind, source_size = _unit("from_unit", from_unit)
    target_kind, target_size = _unit("to_unit", to_unit)
    if source_kind != target_kind:
        fail(
            "convert_unit",
            f"cannot convert {source_kind} ({from_unit}) into {target_kind} ({to_unit})",
        )
    result = amount * source_size / target_size
    if not is_absent(places):
        digits = require_int("convert_unit", "places", places, low=0, high=28)
        return quantize("convert_unit", result, digits, decimal.ROUND_HALF_UP)
    if result == result.to_integral_value() and result.adjusted() < 28:
        return result.quantize(Decimal(1))
    return result.normalize()

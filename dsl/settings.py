"""Settings of a script: declared with a type and a default, checked before any run."""

from __future__ import annotations

import datetime as _dt
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from mapwright.dsl.errors import MappingError
from mapwright.dsl.values import to_decimal

TYPES = ("text", "number", "money", "bool", "list", "table", "date", "enum", "any")


@dataclass(frozen=True)
class SettingSpec:
    name: str
    type: str
    default: Any  # MISSING-free; ``REQUIRED`` when the setting has no default
    choices: tuple[str, ...] = ()
    help: str | None = None
    line: int = 0
    #: ``system.object.Field`` every value of the setting must exist as (see ``references``)
    refers: str | None = None

    @property
    def required(self) -> bool:
        return self.default is REQUIRED

    def to_json(self) -> dict[str, Any]:
        from mapwright.dsl.jsonio import plain

        data: dict[str, Any] = {"name": self.name, "type": self.type}
        if not self.required:
            data["default"] = plain(self.default)
        else:
            data["required"] = True
        if self.choices:
            data["choices"] = list(self.choices)
        if self.help:
            data["help"] = self.help
        if self.refers:
            data["refers"] = self.refers
        return data

    def references(self, value: Any) -> list[tuple[str, str]]:
        """The (where, value) pairs of ``value`` that must exist in ``refers``, as text;
        absent values and empty texts are skipped."""
        if not self.refers:
            return []
        named = self.named_values(value)
        return [(where, str(v)) for where, v in named if v is not None and str(v) != ""]

    def named_values(self, value: Any) -> list[tuple[str, Any]]:
        """The values a setting's ``value`` names, each with where it stands: the value
        itself, each list item, each table value (named by its key)."""
        if isinstance(value, dict):
            return [(f"{self.name}[{k!r}]", v) for k, v in value.items()]
        if isinstance(value, list):
            return [(f"{self.name}[{i}]", v) for i, v in enumerate(value)]
        return [(self.name, value)]


class _Required:
    def __repr__(self) -> str:
        return "required"


REQUIRED: Any = _Required()


class SettingsError(MappingError):
    """Settings did not pass their declared types. ``errors`` lists (setting, message)."""

    def __init__(self, errors: list[tuple[str, str]]):
        self.errors = errors
        super().__init__("; ".join(f"setting '{n}': {m}" for n, m in errors))


def convert(spec: SettingSpec, value: Any) -> Any:
    """Check ``value`` against ``spec``; return it in the runtime's form or raise ValueError."""
    kind = spec.type
    if kind == "any":
        return value
    if kind == "text":
        if not isinstance(value, str):
            raise ValueError(f"expected text, got {value!r}")
        return value
    if kind in ("number", "money"):
        if isinstance(value, bool):
            raise ValueError("expected a number, got true/false")
        try:
            number = to_decimal(value) if not isinstance(value, int) else value
        except TypeError as exc:
            raise ValueError(f"expected a number: {exc}") from None
        if kind == "money":
            return Decimal(number).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
        return number
    if kind == "bool":
        if not isinstance(value, bool):
            raise ValueError(f"expected true or false, got {value!r}")
        return value
    if kind == "list":
        if not isinstance(value, list):
            raise ValueError(f'expected a list like ["a", "b"], got {value!r}')
        return value
    if kind == "table":
        if not isinstance(value, dict):
            raise ValueError(f'expected a table like {{"key": "value"}}, got {value!r}')
        return value
    if kind == "date":
        if isinstance(value, _dt.date):
            return value
        if isinstance(value, str):
            try:
                return _dt.date.fromisoformat(value)
            except ValueError:
                pass
        raise ValueError(f'expected a date like "2026-01-31", got {value!r}')
    if kind == "enum":
        if value not in spec.choices:
            options = ", ".join(f'"{c}"' for c in spec.choices)
            raise ValueError(f"expected one of {options}, got {value!r}")
        return value
    raise ValueError(f"unknown setting type {kind!r}")


def resolve(specs: dict[str, SettingSpec], given: dict[str, Any] | None) -> dict[str, Any]:
    """Defaults filled in, types checked; unknown names refused (they are usually typos)."""
    given = given or {}
    errors: list[tuple[str, str]] = []
    result: dict[str, Any] = {}
    for name in given:
        if name not in specs:
            known = ", ".join(sorted(specs)) or "none"
            errors.append((name, f"this script has no such setting (it has: {known})"))
    for name, spec in specs.items():
        if name in given:
            try:
                result[name] = convert(spec, given[name])
            except ValueError as exc:
                errors.append((name, str(exc)))
        elif spec.required:
            errors.append((name, "has no default and must be given"))
        else:
            result[name] = spec.default
    if errors:
        raise SettingsError(errors)
    return result

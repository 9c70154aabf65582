"""The names an expression can see while it is compiled."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class Scope:
    """The script names in reach (lets, parameters, each variables, step aliases)."""

    names: dict[str, str] = field(default_factory=dict)  # DSL name -> python variable
    aliases: set[str] = field(default_factory=set)
    in_def: bool = False
    def_params: tuple[str, ...] = ()
    rooted: set[str] = field(default_factory=set)  # each variables walking record lists

    def child(self) -> Scope:
        return Scope(
            dict(self.names), set(self.aliases), self.in_def, self.def_params, set(self.rooted)
        )

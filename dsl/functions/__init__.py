"""Builtin functions of the mapping language."""

"""mapwright: an integration engine whose flows are short, readable mapping scripts."""

__version__ = "0.1.0"

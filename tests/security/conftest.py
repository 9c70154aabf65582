"""Fixtures of the abuse suite: one ``mapwright serve`` process for the whole session.

The helpers live in ``service_under_attack.py``, loaded here by its path (no ``sys.path``
change, which would let this folder's ``conftest`` shadow another folder's)."""

from __future__ import annotations

import importlib.util
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

_spec = importlib.util.spec_from_file_location(
    "service_under_attack", Path(__file__).with_name("service_under_attack.py")
)
assert _spec is not None and _spec.loader is not None
helpers = importlib.util.module_from_spec(_spec)
sys.modules["service_under_attack"] = helpers
_spec.loader.exec_module(helpers)


@pytest.fixture(scope="session")
def service(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    with helpers.running_service(tmp_path_factory.mktemp("service")) as running:
        yield running

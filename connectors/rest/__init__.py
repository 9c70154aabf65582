"""mapwright.connectors.rest: the declarative REST connector (kind ``rest``)."""

from mapwright.connectors.rest.connector import RestConnector, paginator_for
from mapwright.connectors.rest.description import (
    Description,
    DescriptionError,
    load_description,
    validate_description,
)

__all__ = [
    "Description",
    "DescriptionError",
    "RestConnector",
    "load_description",
    "paginator_for",
    "validate_description",
]

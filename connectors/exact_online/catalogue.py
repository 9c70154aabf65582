"""The field catalogue of Exact Online: the reference table (``fields.py``) per object."""

from __future__ import annotations

from mapwright.connectors.catalogue import FieldInfo, ObjectFields, SystemFields
from mapwright.connectors.exact_online.fields import FIELDS
from mapwright.connectors.exact_online.objects import OBJECTS


def _fields_of(endpoint: str) -> dict[str, FieldInfo]:
    return {n: FieldInfo(n, f.edm, f.verbs) for n, f in FIELDS.get(endpoint, {}).items()}


def catalogue() -> SystemFields:
    """Every object of ``objects.py`` whose endpoint the reference documents."""
    objects: dict[str, ObjectFields] = {}
    for name, spec in OBJECTS.items():
        line_fields = None
        if spec.lines:
            line_endpoint = spec.endpoint.rsplit("/", 1)[0] + "/" + spec.lines
            if line_endpoint in FIELDS:
                line_fields = ObjectFields(spec.lines, line_endpoint, _fields_of(line_endpoint))
        if spec.endpoint not in FIELDS:
            continue
        objects[name] = ObjectFields(
            name,
            spec.endpoint,
            _fields_of(spec.endpoint),
            description=spec.description,
            lines=spec.lines,
            line_fields=line_fields,
            find_keys=spec.find_keys,
            required=spec.required,
        )
    return SystemFields("exact_online", "Exact Online", objects)

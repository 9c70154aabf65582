"""The files connector (kind ``files``): objects are CSV, JSON or JSON Lines files in a folder.

``ConnectionConfig(kind="files", options={"folder": "data/"})`` makes every
``<object>.csv``, ``<object>.json`` or ``<object>.jsonl`` in the folder an object. Options:

``folder``      the folder (required; created on first write)
``key``         the field holding a record's id (default ``id``); ``keys`` overrides per
                object, e.g. ``{"products": "sku"}``
``format``      the format of objects created by writing to a file that does not exist yet
                (``jsonl`` by default; ``formats`` overrides per object)
``delimiter``   CSV delimiter (default ``,``); ``encoding`` (default ``utf-8``)

A service that hosts several tenants builds the connector with ``root=<tenant folder>``:
``folder`` is then a path inside that root (relative, ``.`` is the root itself), and every
folder and file is resolved, symlinks included, and refused (``FatalError``, code
``outside_root``) when it lies outside the root. A link that points out of the root is
refused as well, however it got there.

Reading: ``list`` pages by position; the cursor is the number of records read, so appending
to a file and listing again from the stored cursor yields only the new records. JSON and
JSON Lines keep their types (fractions become ``Decimal``, exact); CSV values are text.
A malformed row stops the read with ``MalformedFile`` naming the file and line.

Writing: ``create`` appends (JSON Lines and CSV: append plus fsync; JSON: the array is
rewritten to a temporary file and renamed over the old one, so a reader never sees half a
file). A record whose key already exists is refused (``SkippableError``, code
``duplicate``). ``update`` rewrites the file the same atomic way.

File access is synchronous and guarded by a per-file lock; the connector is meant for
imports, exports and tests, not for large concurrent workloads.
"""

from __future__ import annotations

import builtins
import csv
import datetime as dt
import io
import os
import tempfile
import threading
from collections.abc import Sequence
from pathlib import Path
from typing import Any, ClassVar

import httpx
import simplejson
from mapwright.connectors.base import (
    Capability,
    ConnectionConfig,
    Connector,
    ObjectSpec,
    Page,
    register,
)
from mapwright.connectors.errors import FatalError, SkippableError, UnsupportedObject

FORMATS = ("jsonl", "json", "csv")
CAPABILITIES: frozenset[Capability] = frozenset(
    {"list", "get", "find", "create", "update", "batch_create"}
)
_LOCKS: dict[Path, threading.Lock] = {}
_LOCKS_GUARD = threading.Lock()


class MalformedFile(FatalError):
    """A file cannot be read: ``path`` and ``line`` say where, the message says what."""

    def __init__(self, message: str, *, path: Path, line: int | None = None):
        where = f"{path}:{line}" if line is not None else str(path)
        super().__init__(f"{where}: {message}", code="malformed_file")
        self.path = path
        self.line = line


def _lock(path: Path) -> threading.Lock:
    with _LOCKS_GUARD:
        return _LOCKS.setdefault(path.resolve(), threading.Lock())


def _encode(value: Any) -> Any:
    if isinstance(value, dt.date | dt.datetime):
        return value.isoformat()
    raise TypeError(f"cannot write {type(value).__name__} to JSON")


def _dumps(value: Any, indent: int | None = None) -> str:
    return simplejson.dumps(
        value, use_decimal=True, ensure_ascii=False, default=_encode, indent=indent
    )


@register
class FilesConnector(Connector):
    """CSV, JSON and JSON Lines files in one folder, one object per file."""

    kind: ClassVar[str] = "files"
    title: ClassVar[str] = "Files"
    objects: ClassVar[dict[str, ObjectSpec]] = {}

    def __init__(
        self,
        config: ConnectionConfig,
        *,
        transport: httpx.AsyncBaseTransport | None = None,
        root: str | os.PathLike[str] | None = None,
    ):
        super().__init__(config, transport=transport)
        folder = config.options.get("folder")
        self.root = Path(root).resolve() if root is not None else None
        if self.root is not None:
            folder = folder or "."
            if not isinstance(folder, str) or Path(folder).is_absolute():
                raise FatalError(
                    f"files connection: options.folder {folder!r} must be a relative path "
                    "inside the tenant's file folder (e.g. 'orders' or '.')",
                    code="outside_root",
                )
            self.folder = self.root / folder
            self.inside_root(self.folder)
        elif not folder:
            raise FatalError(
                "files connection has no folder: set options.folder to the data folder"
            )
        else:
            self.folder = Path(folder)
        self.default_key = str(config.options.get("key", "id"))
        self.keys: dict[str, str] = dict(config.options.get("keys", {}))
        self.default_format = str(config.options.get("format", "jsonl"))
        self.formats: dict[str, str] = dict(config.options.get("formats", {}))
        self.delimiter = str(config.options.get("delimiter", ","))
        self.encoding = str(config.options.get("encoding", "utf-8"))
        for name, fmt in [("format", self.default_format), *self.formats.items()]:
            if fmt not in FORMATS:
                raise FatalError(
                    f"files connection: format {fmt!r} for {name} is unknown; "
                    f"use one of {', '.join(FORMATS)}"
                )

    def inside_root(self, path: Path) -> Path:
        """``path`` itself; ``FatalError`` when it resolves (links followed) outside the root."""
        if self.root is None:
            return path
        resolved = path.resolve()
        if resolved != self.root and self.root not in resolved.parents:
            shown = path.relative_to(self.root) if path.is_relative_to(self.root) else path
            raise FatalError(
                f"files connection: '{shown}' lies outside the tenant's file folder (a link "
                "pointing out of it, or '..'); keep the files inside the folder",
                code="outside_root",
            )
        return path

    # -- objects ---------------------------------------------------------------------------
    def available(self) -> dict[str, Path]:
        """The objects present in the folder: name -> file."""
        found: dict[str, Path] = {}
        if self.inside_root(self.folder).is_dir():
            for path in sorted(self.folder.iterdir()):
                if path.suffix.lstrip(".") in FORMATS and self.inside_root(path).is_file():
                    if path.stem in found:
                        raise FatalError(
                            f"{self.folder}: both {found[path.stem].name} and {path.name} "
                            f"hold object '{path.stem}'; keep one of them"
                        )
                    found[path.stem] = path
        return found

    def object(self, name: str) -> ObjectSpec:
        if not name or "/" in name or "\\" in name or name.startswith("."):
            raise UnsupportedObject(f"'{name}' is not a valid file object name")
        key = self.keys.get(name, self.default_key)
        return ObjectSpec(name=name, key=key, capabilities=CAPABILITIES, find_keys=(key,))

    def path_of(self, name: str, *, must_exist: bool = True) -> Path:
        """The file of object ``name`` (for a new object: with the configured format)."""
        self.object(name)
        existing = self.available().get(name)
        if existing is not None:
            return existing
        if must_exist:
            known = ", ".join(sorted(self.available())) or "none"
            raise UnsupportedObject(
                f"no file for object '{name}' in {self.folder} (expected {name}.csv, "
                f"{name}.json or {name}.jsonl); objects found: {known}"
            )
        return self.inside_root(
            self.folder / f"{name}.{self.formats.get(name, self.default_format)}"
        )

    # -- reading ---------------------------------------------------------------------------
    def read_all(self, name: str) -> builtins.list[dict[str, Any]]:
        """Every record of object ``name``, in file order."""
        path = self.path_of(name)
        with _lock(path):
            return self._read(path)

    def _read(self, path: Path) -> builtins.list[dict[str, Any]]:
        if not path.exists():
            return []
        text = path.read_text(encoding=self.encoding)
        fmt = path.suffix.lstrip(".")
        if fmt == "jsonl":
            return self._read_jsonl(path, text)
        if fmt == "json":
            return self._read_json(path, text)
        return self._read_csv(path, text)

    def _read_jsonl(self, path: Path, text: str) -> builtins.list[dict[str, Any]]:
        records = []
        for number, line in enumerate(text.splitlines(), start=1):
            if not line.strip():
                continue
            try:
                value = simplejson.loads(line, use_decimal=True)
            except simplejson.JSONDecodeError as exc:
                raise MalformedFile(
                    f"not valid JSON ({exc.msg} at column {exc.colno}); fix or remove the line",
                    path=path,
                    line=number,
                ) from None
            if not isinstance(value, dict):
                raise MalformedFile(
                    f"each line must be a JSON object, found {type(value).__name__}",
                    path=path,
                    line=number,
                )
            records.append(value)
        return records

    def _read_json(self, path: Path, text: str) -> builtins.list[dict[str, Any]]:
        if not text.strip():
            return []
        try:
            value = simplejson.loads(text, use_decimal=True)
        except simplejson.JSONDecodeError as exc:
            raise MalformedFile(
                f"not valid JSON ({exc.msg} at column {exc.colno})", path=path, line=exc.lineno
            ) from None
        if not isinstance(value, list):
            raise MalformedFile(
                "a .json object file must hold an array of objects; use .jsonl for one "
                "object per line",
                path=path,
            )
        for index, item in enumerate(value):
            if not isinstance(item, dict):
                raise MalformedFile(
                    f"array element {index} is {type(item).__name__}, not an object", path=path
                )
        return value

    def _read_csv(self, path: Path, text: str) -> builtins.list[dict[str, Any]]:
        reader = csv.reader(io.StringIO(text, newline=""), delimiter=self.delimiter)
        header: builtins.list[str] | None = None
        records = []
        for row in reader:
            if header is None:
                header = row
                if len(set(header)) != len(header) or any(not name for name in header):
                    raise MalformedFile(
                        "header has empty or repeated column names", path=path, line=1
                    )
                continue
            if not row:
                continue
            if len(row) != len(header):
                raise MalformedFile(
                    f"row has {len(row)} fields but the header has {len(header)}; check the "
                    f"delimiter ({self.delimiter!r}) and quoting",
                    path=path,
                    line=reader.line_num,
                )
            records.append(dict(zip(header, row, strict=True)))
        return records

    # -- hook methods ----------------------------------------------------------------------
    async def list(
        self,
        object: str,
        *,
        cursor: str | None = None,
        page_size: int | None = None,
        filters: dict[str, Any] | None = None,
    ) -> Page:
        """Records after position ``cursor``; ``filters`` keep records whose fields equal."""
        try:
            start = int(cursor) if cursor else 0
        except ValueError:
            raise FatalError(
                f"files cursor must be a record count, got {cursor!r}; reset the cursor"
            ) from None
        size = page_size or 100
        records = self.read_all(object)
        chunk = records[start : start + size]
        end = start + len(chunk)
        if filters:
            chunk = [r for r in chunk if all(_same(r.get(k), v) for k, v in filters.items())]
        return Page(records=chunk, cursor=str(end), has_more=end < len(records))

    async def get(self, object: str, id: Any) -> dict[str, Any] | None:
        key = self.object(object).key
        for record in self.read_all(object):
            if _same(record.get(key), id):
                return record
        return None

    async def find(
        self, object: str, key: str, values: Sequence[Any]
    ) -> dict[Any, builtins.list[dict[str, Any]]]:
        """Records whose ``key`` equals one of ``values`` (compared as text), one file read."""
        wanted = {str(value): value for value in values if value is not None}
        found: dict[Any, builtins.list[dict[str, Any]]] = {}
        for record in self.read_all(object):
            value = record.get(key)
            if value is not None and str(value) in wanted:
                found.setdefault(wanted[str(value)], []).append(record)
        return found

    async def create(self, object: str, record: dict[str, Any]) -> dict[str, Any]:
        path = self.path_of(object, must_exist=False)
        key = self.object(object).key
        self.folder.mkdir(parents=True, exist_ok=True)
        with _lock(path):
            existing = self._read(path)
            if record.get(key) is not None and any(
                _same(r.get(key), record[key]) for r in existing
            ):
                raise SkippableError(
                    f"{path.name} already has a record with {key} = {record[key]!r}",
                    code="duplicate",
                )
            fmt = path.suffix.lstrip(".")
            if fmt == "json":
                self._replace(path, [*existing, record])
            elif fmt == "jsonl":
                self._append(path, _dumps(record) + "\n")
            else:
                self._append_csv(path, record, existing_empty=not path.exists())
        return dict(record)

    async def update(self, object: str, id: Any, record: dict[str, Any]) -> dict[str, Any]:
        path = self.path_of(object)
        key = self.object(object).key
        with _lock(path):
            records = self._read(path)
            for index, current in enumerate(records):
                if _same(current.get(key), id):
                    merged = {**current, **record}
                    records[index] = merged
                    self._replace(path, records)
                    return merged
        raise SkippableError(f"{path.name} has no record with {key} = {id!r}", code="not_found")

    # -- writing ---------------------------------------------------------------------------
    def _append(self, path: Path, text: str) -> None:
        with path.open("a", encoding=self.encoding, newline="") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())

    def _append_csv(self, path: Path, record: dict[str, Any], *, existing_empty: bool) -> None:
        if existing_empty:
            header = builtins.list(record)
        else:
            with path.open(encoding=self.encoding, newline="") as handle:
                header = next(csv.reader(handle, delimiter=self.delimiter), [])
        extra = [name for name in record if name not in header]
        if extra:
            raise SkippableError(
                f"{path.name} has no column for {', '.join(extra)}; add the column to the "
                "header or drop the field from the mapping",
                code="unknown_column",
            )
        out = io.StringIO()
        writer = csv.writer(out, delimiter=self.delimiter, lineterminator="\n")
        if existing_empty:
            writer.writerow(header)
        writer.writerow([_csv_value(record.get(name)) for name in header])
        self._append(path, out.getvalue())

    def _replace(self, path: Path, records: builtins.list[dict[str, Any]]) -> None:
        fmt = path.suffix.lstrip(".")
        if fmt == "json":
            text = _dumps(records, indent=2) + "\n"
        elif fmt == "jsonl":
            text = "".join(_dumps(r) + "\n" for r in records)
        else:
            header: builtins.list[str] = []
            for r in records:
                header.extend(name for name in r if name not in header)
            out = io.StringIO()
            writer = csv.writer(out, delimiter=self.delimiter, lineterminator="\n")
            writer.writerow(header)
            for r in records:
                writer.writerow([_csv_value(r.get(name)) for name in header])
            text = out.getvalue()
        handle, temp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
        try:
            with os.fdopen(handle, "w", encoding=self.encoding, newline="") as stream:
                stream.write(text)
                stream.flush()
                os.fsync(stream.fileno())
            os.replace(temp, path)
        except BaseException:
            Path(temp).unlink(missing_ok=True)
            raise


def _same(left: Any, right: Any) -> bool:
    """Equal as values, or as text (CSV holds text: ``"7"`` finds id ``7``)."""
    return left == right or (left is not None and right is not None and str(left) == str(right))


def _csv_value(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, dict | builtins.list):
        return _dumps(value)
    if isinstance(value, dt.date | dt.datetime):
        return value.isoformat()
    return str(value)

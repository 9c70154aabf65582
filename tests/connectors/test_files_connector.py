"""The files connector: CSV, JSON and JSON Lines objects in a folder."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest
from mapwright.connectors.base import CONNECTORS, ConnectionConfig
from mapwright.connectors.errors import FatalError, SkippableError, UnsupportedObject
from mapwright.connectors.files import FilesConnector, MalformedFile


def connector(folder: Path, **options: object) -> FilesConnector:
    return FilesConnector(
        ConnectionConfig(kind="files", options={"folder": str(folder), **options})
    )


def test_is_registered_as_kind_files() -> None:
    assert CONNECTORS["files"] is FilesConnector


def test_objects_are_the_files_in_the_folder(tmp_path: Path) -> None:
    (tmp_path / "products.csv").write_text("sku,name\n")
    (tmp_path / "orders.jsonl").write_text("")
    (tmp_path / "notes.txt").write_text("ignored")
    assert sorted(connector(tmp_path).available()) == ["orders", "products"]


def test_missing_folder_option_says_what_to_set() -> None:
    with pytest.raises(FatalError, match="options.folder"):
        FilesConnector(ConnectionConfig(kind="files"))


async def test_lists_jsonl_in_pages_with_an_offset_cursor(tmp_path: Path) -> None:
    lines = "".join(f'{{"id": {i}, "price": 1.10}}\n' for i in range(5))
    (tmp_path / "items.jsonl").write_text(lines)
    files = connector(tmp_path)
    first = await files.list("items", page_size=2)
    assert [r["id"] for r in first.records] == [0, 1]
    assert first.records[0]["price"] == Decimal("1.10")
    assert (first.cursor, first.has_more) == ("2", True)
    last = await files.list("items", cursor="4", page_size=2)
    assert [r["id"] for r in last.records] == [4]
    assert (last.cursor, last.has_more) == ("5", False)


async def test_listing_from_a_stored_cursor_returns_only_appended_records(tmp_path: Path) -> None:
    files = connector(tmp_path)
    await files.create("events", {"id": 1})
    done = await files.list("events")
    await files.create("events", {"id": 2})
    later = await files.list("events", cursor=done.cursor)
    assert later.records == [{"id": 2}]


async def test_csv_reads_text_values_and_gets_by_key(tmp_path: Path) -> None:
    (tmp_path / "products.csv").write_text("sku,name\nA-1,Käse\nB-2,Brötchen\n", encoding="utf-8")
    files = connector(tmp_path, key="sku")
    assert await files.get("products", "B-2") == {"sku": "B-2", "name": "Brötchen"}
    assert await files.get("products", "C-3") is None


async def test_find_groups_matches_by_requested_value(tmp_path: Path) -> None:
    (tmp_path / "stock.csv").write_text("id,sku\n1,A\n2,B\n3,A\n")
    files = connector(tmp_path)
    found = await files.find("stock", "sku", ["A", "Z"])
    assert [r["id"] for r in found["A"]] == ["1", "3"]
    assert "Z" not in found


async def test_csv_key_compares_as_text(tmp_path: Path) -> None:
    (tmp_path / "orders.csv").write_text("id,total\n7,10.00\n")
    assert await connector(tmp_path).get("orders", 7) == {"id": "7", "total": "10.00"}


@pytest.mark.parametrize("fmt", ["json", "jsonl", "csv"])
async def test_create_then_read_back_in_each_format(tmp_path: Path, fmt: str) -> None:
    files = connector(tmp_path, format=fmt)
    await files.create("customers", {"id": "1", "name": "Müller"})
    await files.create("customers", {"id": "2", "name": 'Øster, "Nord"'})
    assert (tmp_path / f"customers.{fmt}").exists()
    records = connector(tmp_path).read_all("customers")
    assert records == [{"id": "1", "name": "Müller"}, {"id": "2", "name": 'Øster, "Nord"'}]


async def test_create_refuses_a_duplicate_key(tmp_path: Path) -> None:
    files = connector(tmp_path)
    await files.create("customers", {"id": 1})
    with pytest.raises(SkippableError) as caught:
        await files.create("customers", {"id": 1})
    assert caught.value.code == "duplicate"
    assert len(files.read_all("customers")) == 1


async def test_csv_create_refuses_a_field_without_a_column(tmp_path: Path) -> None:
    (tmp_path / "products.csv").write_text("sku,name\n")
    with pytest.raises(SkippableError, match="no column for colour"):
        await connector(tmp_path).create("products", {"sku": "A", "colour": "red"})


@pytest.mark.parametrize("fmt", ["json", "jsonl", "csv"])
async def test_update_merges_and_rewrites_atomically(tmp_path: Path, fmt: str) -> None:
    files = connector(tmp_path, format=fmt)
    await files.create("customers", {"id": "1", "name": "Alt", "city": "Köln"})
    updated = await files.update("customers", "1", {"name": "Neu"})
    assert updated == {"id": "1", "name": "Neu", "city": "Köln"}
    assert files.read_all("customers") == [updated]
    assert [p.name for p in tmp_path.iterdir()] == [f"customers.{fmt}"]


async def test_update_of_an_unknown_id_is_skippable(tmp_path: Path) -> None:
    files = connector(tmp_path)
    await files.create("customers", {"id": 1})
    with pytest.raises(SkippableError, match="no record with id = 2"):
        await files.update("customers", 2, {"name": "x"})


def test_malformed_jsonl_names_file_and_line(tmp_path: Path) -> None:
    (tmp_path / "items.jsonl").write_text('{"id": 1}\n{"id": 2,\n')
    with pytest.raises(MalformedFile) as caught:
        connector(tmp_path).read_all("items")
    assert caught.value.line == 2
    assert str(caught.value).startswith(f"{tmp_path / 'items.jsonl'}:2: not valid JSON")


def test_csv_row_with_wrong_field_count_names_the_line(tmp_path: Path) -> None:
    (tmp_path / "items.csv").write_text("id,name\n1,a\n2,b,extra\n")
    with pytest.raises(MalformedFile, match=r"items.csv:3: row has 3 fields but the header has 2"):
        connector(tmp_path).read_all("items")


def test_json_file_must_hold_an_array(tmp_path: Path) -> None:
    (tmp_path / "items.json").write_text('{"id": 1}')
    with pytest.raises(MalformedFile, match="array of objects"):
        connector(tmp_path).read_all("items")


def test_unknown_object_lists_what_exists(tmp_path: Path) -> None:
    (tmp_path / "orders.jsonl").write_text("")
    with pytest.raises(UnsupportedObject, match="objects found: orders"):
        connector(tmp_path).read_all("invoices")


def test_two_files_for_one_object_is_an_error(tmp_path: Path) -> None:
    (tmp_path / "orders.jsonl").write_text("")
    (tmp_path / "orders.csv").write_text("id\n")
    with pytest.raises(FatalError, match="keep one of them"):
        connector(tmp_path).available()


def test_object_names_cannot_leave_the_folder(tmp_path: Path) -> None:
    with pytest.raises(UnsupportedObject, match="not a valid file object name"):
        connector(tmp_path).object("../secrets")


async def test_list_filters_keep_equal_records_and_the_cursor_still_advances(
    tmp_path: Path,
) -> None:
    (tmp_path / "orders.csv").write_text("id,status\n1,open\n2,paid\n3,open\n")
    page = await connector(tmp_path).list("orders", filters={"status": "open"}, page_size=2)
    assert [r["id"] for r in page.records] == ["1"]
    assert (page.cursor, page.has_more) == ("2", True)

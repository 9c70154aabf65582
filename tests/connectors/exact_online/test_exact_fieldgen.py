"""``fields.py`` is generated from the field reference it cites, by a script in the repo."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from mapwright.connectors.exact_online import fieldgen
from mapwright.connectors.exact_online.fields import FIELDS, PRIMARY_KEYS


def test_regenerating_gives_the_committed_file() -> None:
    reference = json.loads(fieldgen.REFERENCE.read_text(encoding="utf-8"))
    assert fieldgen.render(reference) == fieldgen.TARGET.read_text(encoding="utf-8")


def test_every_field_of_the_reference_is_in_the_table_once() -> None:
    reference = json.loads(fieldgen.REFERENCE.read_text(encoding="utf-8"))
    for path, spec in reference.items():
        if path.startswith("_") or not spec["fields"]:
            assert path not in FIELDS
            continue
        assert list(FIELDS[path]) == list(spec["fields"]), path
        assert PRIMARY_KEYS[path] == spec["primaryKey"]


def test_the_rules_for_types_and_verbs() -> None:
    reference = {
        "_about": {"sources": []},
        "a/One": {
            "primaryKey": "ID",
            "fields": {
                "ID": {"edm": "Edm.Guid", "verbs": "GPUD"},
                "Status": {"edm": "Edm.String", "verbs": "G"},
                "Class_01": {"edm": "Exact.Web.Api.Models.HRM.DivisionClass", "verbs": "GPU"},
                "Lines": {"edm": "SalesOrderLines", "verbs": "GP"},
            },
        },
        "b/Two": {
            "primaryKey": "Timestamp",
            "fields": {
                "Timestamp": {"edm": "Edm.Int64"},
                "Status": {"edm": None, "verbs": "G"},
                "Brand": {"edm": None},
            },
        },
        "b/Status": {"primaryKey": "Status", "fields": {"Status": {"edm": "Edm.Int16"}}},
        "bulk/Empty": {"primaryKey": "ID", "fields": {}},
    }
    found = fieldgen.entries(reference)
    assert found["a/One"] == (
        "ID",
        ["ID:Guid:GPUD", "Status:String:G", "Class_01:Complex:GPU", "Lines:SalesOrderLines:GP"],
    )
    # no type: the first same-named field that has one (String, not the later Int16)
    assert found["b/Two"] == ("Timestamp", ["Timestamp:Int64:-", "Status:String:G", "Brand:?:-"])
    assert "bulk/Empty" not in found


def test_check_mode_finds_a_hand_edit(tmp_path: Path) -> None:
    copy = tmp_path / "fields.py"
    copy.write_text(fieldgen.TARGET.read_text(encoding="utf-8").replace("Name:String:GPU", "X"))
    command = [sys.executable, "-m", "mapwright.connectors.exact_online.fieldgen"]
    changed = subprocess.run(
        [*command, "--check", "--output", str(copy)], capture_output=True, text=True
    )
    assert changed.returncode == 1 and "run scripts/gen-exact-fields" in changed.stdout
    subprocess.run([*command, "--output", str(copy)], check=True, capture_output=True)
    assert copy.read_text(encoding="utf-8") == fieldgen.TARGET.read_text(encoding="utf-8")

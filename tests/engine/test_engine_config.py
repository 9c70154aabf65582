"""mapwright.toml: connections, flows, environment overrides and errors that name the key."""

from __future__ import annotations

from pathlib import Path

import pytest
from mapwright.engine.config import load_config
from mapwright.engine.errors import ConfigError, FlowInvalid, FlowNotFound
from mapwright.engine.flows import FlowCatalog

CONFIG = """
tenant = "acme"

[store]
url = "sqlite:///{dir}/store.db"

[connections.exact_online]
kind = "exact_online"
base_url = "http://127.0.0.1:8001"
credentials = {{ client_id = "abc" }}
options = {{ division = 7 }}

[flows.orders]
script = "orders.map"
settings = {{ statuses = ["paid", "sent"] }}
connections = {{ erp = "exact_online" }}
"""

SCRIPT = "flow orders\nsource shop.orders\ncreate erp.notes {\n  text <- number\n}\n"


@pytest.fixture
def config_file(tmp_path: Path) -> Path:
    (tmp_path / "orders.map").write_text(SCRIPT)
    path = tmp_path / "mapwright.toml"
    path.write_text(CONFIG.format(dir=tmp_path))
    return path


def test_the_config_file_gives_store_connections_and_flows(config_file: Path) -> None:
    config = load_config(config_file)
    assert config.tenant == "acme"
    assert config.database_url().endswith("store.db")
    exact = config.connection_configs()["exact_online"]
    assert (exact.kind, exact.base_url, exact.options) == (
        "exact_online",
        "http://127.0.0.1:8001",
        {"division": 7},
    )
    flow = FlowCatalog(config=config, builtin_dir=None).get("acme", "orders")
    assert flow.origin == "config" and flow.script == SCRIPT
    assert flow.connection_for("erp") == "exact_online"
    assert flow.connection_for("shop") == "shop"


def test_environment_variables_override_the_file(
    config_file: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("MAPWRIGHT_STORE_URL", "sqlite:///elsewhere.db")
    monkeypatch.setenv("MAPWRIGHT_CONNECTIONS__EXACT_ONLINE__BASE_URL", "http://127.0.0.1:9999")
    config = load_config(config_file)
    assert config.database_url() == "sqlite:///elsewhere.db"
    assert config.connections["exact_online"].base_url == "http://127.0.0.1:9999"
    assert config.connections["exact_online"].kind == "exact_online"


def test_a_connection_without_kind_is_named_in_the_error(tmp_path: Path) -> None:
    path = tmp_path / "mapwright.toml"
    path.write_text('[connections.bb]\nbase_url = "http://x"\n')
    with pytest.raises(ConfigError) as error:
        load_config(path)
    assert "[connections.bb] kind" in str(error.value)
    assert 'kind = "exact_online"' in str(error.value)


def test_an_unknown_key_is_named_in_the_error(tmp_path: Path) -> None:
    path = tmp_path / "mapwright.toml"
    path.write_text('[store]\nurl = "sqlite://"\nuri = "typo"\n')
    with pytest.raises(ConfigError) as error:
        load_config(path)
    assert "store.uri" in str(error.value)


def test_a_missing_config_file_given_explicitly_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="does not exist"):
        load_config(tmp_path / "nope.toml")


def test_a_flow_script_path_that_does_not_exist_is_named(tmp_path: Path) -> None:
    path = tmp_path / "mapwright.toml"
    path.write_text('[flows.orders]\nscript = "missing.map"\n')
    with pytest.raises(FlowInvalid, match=r"\[flows.orders\] script = 'missing.map'"):
        FlowCatalog(config=load_config(path), builtin_dir=None).all("default")


def test_an_unknown_flow_lists_the_known_ones(config_file: Path) -> None:
    catalog = FlowCatalog(config=load_config(config_file), builtin_dir=None)
    with pytest.raises(FlowNotFound, match="known flows: orders"):
        catalog.get("acme", "ordres")


def test_builtin_flows_are_found_and_can_be_overridden(tmp_path: Path) -> None:
    builtins = tmp_path / "builtin"
    builtins.mkdir()
    (builtins / "stock.map").write_text("flow stock\n")
    path = tmp_path / "mapwright.toml"
    path.write_text("[flows.stock]\nsettings = { manage = false }\n")
    flows = FlowCatalog(config=load_config(path), builtin_dir=builtins).all("default")
    assert flows["stock"].script == "flow stock\n"
    assert flows["stock"].settings == {"manage": False}
    assert flows["stock"].origin == "config"


def test_an_unknown_kind_at_run_time_lists_every_installed_kind() -> None:
    from mapwright.engine.connections import connector_class

    with pytest.raises(FlowInvalid) as caught:
        connector_class("exact_onlin")
    for kind in ("exact_online", "buchhaltungsbutler", "shop", "rest", "files"):
        assert kind in str(caught.value)

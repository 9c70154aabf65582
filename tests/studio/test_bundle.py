"""The committed studio bundle is the build of the committed sources, and the service
serves it at ``/`` with Swagger UI and ReDoc from local files (no CDN)."""

from __future__ import annotations

import importlib.util
import re
from collections.abc import AsyncIterator
from pathlib import Path
from types import ModuleType

import httpx
import pytest
from mapwright.api.app import create_app
from mapwright.api.services import create_tenant
from mapwright.api.settings import ApiSettings
from mapwright.api.vault import Vault

ROOT = Path(__file__).resolve().parents[2]


def _manifest_module() -> ModuleType:
    spec = importlib.util.spec_from_file_location(
        "studio_manifest", ROOT / "studio" / "manifest.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_committed_bundle_matches_the_studio_sources() -> None:
    assert _manifest_module().problems() == []


def test_a_changed_source_is_noticed(tmp_path: Path) -> None:
    manifest = _manifest_module()
    before = manifest.sources_hash()
    copy = tmp_path / "studio"
    for path in manifest._files(manifest.STUDIO, manifest.SOURCES):
        target = copy / path.relative_to(manifest.STUDIO)
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(path.read_bytes())
    assert manifest.sources_hash(copy) == before
    (copy / "src" / "main.tsx").write_text("// changed\n", encoding="utf-8")
    assert manifest.sources_hash(copy) != before


@pytest.fixture
async def client(tmp_path: Path) -> AsyncIterator[httpx.AsyncClient]:
    settings = ApiSettings(data_dir=tmp_path / "data", secret_key=Vault.new_key())
    app = create_app(settings)
    key = create_tenant(app.state.services, "acme")
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app),
        base_url="http://mapwright.test",
        headers={"Authorization": f"Bearer {key}"},
    ) as http:
        yield http
    app.state.services.close()


async def test_the_studio_page_and_its_assets_are_served(client: httpx.AsyncClient) -> None:
    page = await client.get("/", headers={"Authorization": ""})
    assert page.status_code == 200 and "text/html" in page.headers["content-type"]
    assets = re.findall(r'(?:src|href)="(/studio/[^"]+)"', page.text)
    assert any(a.endswith(".js") for a in assets) and any(a.endswith(".css") for a in assets)
    for asset in assets:
        answer = await client.get(asset)
        assert answer.status_code == 200, asset


@pytest.mark.parametrize(
    ("path", "local"),
    [
        ("/docs", ["/studio/vendor/swagger-ui-bundle.js", "/studio/vendor/swagger-ui.css"]),
        ("/redoc", ["/studio/vendor/redoc.standalone.js"]),
    ],
)
async def test_api_docs_load_only_local_assets(
    client: httpx.AsyncClient, path: str, local: list[str]
) -> None:
    page = await client.get(path)
    assert page.status_code == 200
    for url in re.findall(r'(?:src|href)=["\']([^"\']+)["\']', page.text):
        assert url.startswith("/"), f"{path} loads {url} from another host"
    for asset in local:
        assert asset in page.text
        answer = await client.get(asset)
        assert answer.status_code == 200 and len(answer.content) > 10_000


async def test_the_language_lists_functions_with_signature_and_doc(
    client: httpx.AsyncClient,
) -> None:
    answer = await client.get("/api/v1/studio/language")
    assert answer.status_code == 200
    functions = {f["name"]: f for f in answer.json()["functions"]}
    assert functions["split_street"]["signature"].startswith("split_street(")
    assert functions["split_street"]["doc"]
    assert "upsert" in answer.json()["keywords"]["statement"]


async def test_the_exact_catalogue_lists_objects_fields_and_line_fields(
    client: httpx.AsyncClient,
) -> None:
    assert (await client.get("/api/v1/studio/catalogue")).json() == ["exact_online"]
    answer = (await client.get("/api/v1/studio/catalogue/exact_online")).json()
    accounts = answer["objects"]["accounts"]
    assert accounts["where"] == "crm/Accounts"
    assert {"name": "Name", "type": "String", "verbs": "GPU"} in accounts["fields"]
    orders = answer["objects"]["sales_orders"]
    assert orders["lines"] == "SalesOrderLines"
    assert "Quantity" in [f["name"] for f in orders["line_fields"]]
    missing = await client.get("/api/v1/studio/catalogue/buchhaltungsbutler")
    assert missing.status_code == 404


async def test_studio_endpoints_need_a_key(client: httpx.AsyncClient) -> None:
    answer = await client.get("/api/v1/studio/language", headers={"Authorization": ""})
    assert answer.status_code == 401


async def test_without_sandboxes_none_are_offered(client: httpx.AsyncClient) -> None:
    assert (await client.get("/api/v1/studio/sandboxes")).json() == []

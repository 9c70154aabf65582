"""Egress: a tenant's connections and webhooks reach public hosts only (unless the operator
allows more), remote error bodies are never echoed, REST descriptions are inline or from the
operator's folder."""

from __future__ import annotations

import http.server
import socket
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from conftest import World
from flows_fixtures import RECEIPTS

DESCRIPTION = {"name": "probe", "objects": {"things": {"list": {"path": "/things"}}}}


def rest(base_url: str, **options: Any) -> dict[str, Any]:
    return {
        "name": "probe",
        "kind": "rest",
        "base_url": base_url,
        "credentials": {"token": "tenant-secret-token"},
        "options": {"description": DESCRIPTION, **options},
    }


@pytest.fixture
def listener() -> Iterator[socket.socket]:
    """A TCP port on loopback that records whether anybody connected."""
    with socket.socket() as server:
        server.bind(("127.0.0.1", 0))
        server.listen()
        server.setblocking(False)
        yield server


def nobody_connected(server: socket.socket) -> bool:
    try:
        connection, _ = server.accept()
    except BlockingIOError:
        return True
    connection.close()
    return False


@pytest.fixture
def leaky_server() -> Iterator[str]:
    """A local HTTP server answering 403 with an internal page in the body."""

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802
            body = b"<html>INTERNAL-ADMIN-PAGE db_password=hunter2\n\x1b[31m</html>"
            self.send_response(403)
            self.send_header("Content-Type", "text/html")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: Any) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


async def test_loopback_is_refused_before_a_socket_opens(
    world: World, listener: socket.socket
) -> None:
    port = listener.getsockname()[1]
    for url in (
        f"http://127.0.0.1:{port}",
        f"http://localhost:{port}",
        f"http://[::ffff:127.0.0.1]:{port}",
        f"http://0.0.0.0:{port}",
        f"http://127.1:{port}",
    ):
        response = await world.client.post(
            "/api/v1/connections", json=rest(url), headers=world.admin
        )
        assert response.status_code == 422, (url, response.text)
        problem = response.json()
        assert "MAPWRIGHT_EGRESS_ALLOW" in problem["detail"], url
        assert problem["errors"][0]["loc"] == "body.base_url"
    assert nobody_connected(listener), "the service connected to a loopback port"


@pytest.mark.parametrize(
    ("url", "reason"),
    [
        ("http://169.254.169.254/latest/meta-data", "a cloud metadata address"),
        ("http://[fd00:ec2::254]/", "a cloud metadata address"),
        ("http://100.100.100.200/", "a cloud metadata address"),
        ("http://10.0.0.7/", "a private address"),
        ("http://192.168.1.1:8080/", "a private address"),
        ("http://[fe80::1]/", "a link-local address"),
        ("http://[::1]/", "a loopback address"),
    ],
)
async def test_private_link_local_and_metadata_ranges_are_refused(
    world: World, url: str, reason: str
) -> None:
    response = await world.client.post("/api/v1/connections", json=rest(url), headers=world.admin)
    assert response.status_code == 422
    assert f"resolves to {reason}" in response.json()["detail"]


async def test_an_operator_allowed_host_is_reached_but_its_body_is_not_echoed(
    make_world: Any, settings: Any, leaky_server: str
) -> None:
    world = await make_world(settings=settings.model_copy(update={"egress_allow": "127.0.0.1"}))
    response = await world.client.post(
        "/api/v1/connections", json=rest(leaky_server), headers=world.admin
    )
    assert response.status_code == 422
    detail = response.json()["detail"]
    assert "HTTP 403 Forbidden (text/html, " in detail, detail
    assert "INTERNAL" not in response.text and "hunter2" not in response.text
    assert "\\u001b" not in response.text


async def test_only_allowed_mode_refuses_public_hosts_too(make_world: Any, settings: Any) -> None:
    world = await make_world(
        settings=settings.model_copy(
            update={"egress_allow": "*.exactonline.nl", "egress_only_allowed": True}
        )
    )
    response = await world.client.post(
        "/api/v1/connections", json=rest("http://93.184.215.14/"), headers=world.admin
    )
    assert response.status_code == 422
    assert "not on the operator's allow-list" in response.json()["detail"]


async def test_a_description_path_outside_the_operators_folder_is_refused(
    make_world: Any, settings: Any, tmp_path: Path
) -> None:
    secret = tmp_path / "secret.yaml"
    secret.write_text("hunter2_key: 1\nname: x\n", encoding="utf-8")
    folder = tmp_path / "apis"
    folder.mkdir()
    (folder / "probe.yaml").write_text(
        "name: probe\nobjects:\n  things:\n    list:\n      path: /things\n", encoding="utf-8"
    )
    (folder / "link.yaml").symlink_to(secret)
    plain = await make_world()
    refused = await plain.client.post(
        "/api/v1/connections",
        json=rest("http://93.184.215.14/", description=str(secret)),
        headers=plain.admin,
    )
    assert refused.status_code == 422
    assert refused.json()["errors"][0]["loc"] == "body.options.description"
    assert "hunter2" not in refused.text
    world = await make_world(settings=settings.model_copy(update={"descriptions_dir": folder}))
    for given in (str(secret), "../secret.yaml", "link.yaml", "/etc/passwd"):
        response = await world.client.post(
            "/api/v1/connections",
            json=rest("http://93.184.215.14/", description=given),
            headers=world.admin,
        )
        assert response.status_code == 422, given
        assert "descriptions folder" in response.json()["detail"], given
        assert "hunter2" not in response.text and "root:" not in response.text
    allowed = await world.client.post(
        "/api/v1/connections",
        json={**rest("http://93.184.215.14/", description="probe.yaml"), "test": False},
        headers=world.admin,
    )
    assert allowed.status_code == 201, allowed.text


async def test_a_webhook_to_loopback_is_not_delivered(
    world: World, listener: socket.socket
) -> None:
    await world.connect_sandboxes()
    await world.client.post(
        "/api/v1/flows", json={"name": "receipts", "script": RECEIPTS}, headers=world.admin
    )
    url = f"http://127.0.0.1:{listener.getsockname()[1]}/hook"
    added = await world.client.post(
        "/api/v1/flows/receipts/alerts", json={"kind": "webhook", "url": url}, headers=world.admin
    )
    assert added.status_code == 201
    sent = await world.client.post("/api/v1/flows/receipts/alerts/test", headers=world.admin)
    assert [s["delivered"] for s in sent.json()] == [False]
    assert nobody_connected(listener)

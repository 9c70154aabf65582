"""The service attacked as a hostile tenant would, over HTTP against a real ``mapwright serve``
on 127.0.0.1: script bombs (one by one, eight at once, generated), SSRF attempts, file root
escapes. After every attack a liveness probe checks that a trivial lint of another tenant
still answers (within a generous bound: a liveness check, not a performance target), that
the workers that ran the bomb are gone (their CPU is free) and that the service process
stayed under its documented memory cap."""

from __future__ import annotations

import asyncio
import subprocess
import sys
import textwrap
import time
from decimal import Decimal
from typing import Any

import httpx
import pytest
import simplejson
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from service_under_attack import (
    LIVENESS_SECONDS,
    SCRIPT_TIMEOUT,
    SERVICE_MEMORY_CAP_MB,
    Service,
    alive,
)


def chain(lines: list[str], result: str) -> str:
    return "\n".join([*lines, result, ""])


#: 2**40 additions per record (the language's step budget stops each record; 200 records
#: of that still run far past the time limit)
EXPONENTIAL = chain(
    ["def f0(x) = x + 1", *(f"def f{i}(x) = f{i - 1}(x) + f{i - 1}(x)" for i in range(1, 41))],
    "A <- f40(n)",
)
HUGE = Decimal("1e999999999")
BOMBS: dict[str, tuple[str, list[dict[str, Any]]]] = {
    "exponential def chain": (EXPONENTIAL, [{"n": n} for n in range(200)]),
    "repeated squaring of a 4,000-digit number": (
        chain(
            ["let a0 = n", *(f"let a{i} = a{i - 1} * a{i - 1}" for i in range(1, 25))], "A <- a24"
        ),
        [{"n": int("7" * 4000)}],
    ),
    "string doubling": (
        chain(
            ["let s0 = text(n)", *(f"let s{i} = s{i - 1} & s{i - 1}" for i in range(1, 29))],
            "A <- s28",
        ),
        [{"n": 123456789}],
    ),
    "nested list doubling": (
        chain(
            ["let l0 = [n, n]", *(f"let l{i} = [l{i - 1}, l{i - 1}]" for i in range(1, 25))],
            "A <- l24",
        ),
        [{"n": 1}],
    ),
    "a huge exponent as index, date offset and text": (
        'L <- [1, 2, 3]\nA <- L[x]\nB <- add_days(date("2024-01-01"), x)\nC <- "{x}"\n'
        "D <- text(x * 2)\n",
        [{"x": HUGE}],
    ),
    "nested counted repeats in a regex": (
        'A <- matches(s, "(?:(?:a\\{1000\\}){1000}){1000}")\n',
        [{"s": "a" * 5000}],
    ),
}


def post_json(body: dict[str, Any]) -> dict[str, Any]:
    """Request arguments for a body with exact numbers (``1e999999999`` stays that)."""
    return {
        "content": simplejson.dumps(body, use_decimal=True),
        "headers": {"Content-Type": "application/json"},
    }


async def probe(service: Service, tenant: str = "globex") -> None:
    """The liveness probe: a trivial lint answers, within the generous bound."""
    async with service.client(timeout=LIVENESS_SECONDS) as client:
        started = time.monotonic()
        answer = await client.post(
            "/api/v1/scripts/lint", json={"script": "A <- 1\n"}, headers=service.keys[tenant]
        )
        elapsed = time.monotonic() - started
    assert answer.status_code == 200, answer.text
    assert answer.json() == {"ok": True, "diagnostics": []}
    assert elapsed < LIVENESS_SECONDS, f"a trivial lint took {elapsed:.1f} s"
    assert service.peak_memory_mb() < SERVICE_MEMORY_CAP_MB


@pytest.mark.parametrize("name", BOMBS)
async def test_a_script_bomb_is_stopped_and_the_service_stays_alive(
    service: Service, name: str
) -> None:
    script, records = BOMBS[name]
    arguments = post_json({"script": script, "records": records})
    headers = {**service.keys["acme"], **arguments.pop("headers")}
    async with service.client() as client:
        answer = await client.post("/api/v1/scripts/preview", headers=headers, **arguments)
    assert answer.status_code in (200, 422), answer.text
    if answer.status_code == 422:
        assert "limit" in answer.json()["detail"], answer.text
    else:
        results = answer.json()["results"]
        assert len(results) == len(records)
        assert all(r["status"] in ("ok", "error") for r in results)
    await probe(service)


async def test_eight_concurrent_bombs_leave_the_service_answering(service: Service) -> None:
    body = {"script": EXPONENTIAL, "records": [{"n": n} for n in range(200)]}
    busy: set[int] = set()
    async with service.client() as client:
        previews = [
            asyncio.create_task(
                client.post("/api/v1/scripts/preview", json=body, headers=service.keys["acme"])
            )
            for _ in range(8)
        ]
        for _ in range(500):
            busy |= {pid for pid, state in service.workers().items() if state == "R"}
            if len(busy) >= 2 or all(task.done() for task in previews):
                break
            await asyncio.sleep(0.01)
        await probe(service, "globex")  # while the bombs run
        answers = await asyncio.gather(*previews)
    statuses = sorted(answer.status_code for answer in answers)
    assert statuses == [422, 422, 429, 429, 429, 429, 429, 429], statuses
    refused = next(a for a in answers if a.status_code == 429)
    assert refused.headers["Retry-After"] == str(SCRIPT_TIMEOUT)
    timed_out = next(a for a in answers if a.status_code == 422)
    assert f"time limit of {SCRIPT_TIMEOUT} s" in timed_out.json()["detail"]
    await probe(service, "acme")  # after them, for the attacking tenant too
    assert busy, "no worker was seen running the bombs"
    assert not [pid for pid in busy if alive(pid)], "a bomb's worker still runs"


HOSTILE_PARTS = {
    "def chain": lambda n: chain(
        ["def f0(x) = x & x", *(f"def f{i}(x) = f{i - 1}(f{i - 1}(x))" for i in range(1, n))],
        f"A <- f{n - 1}(s)",
    ),
    "brackets": lambda n: "A <- " + "(" * n + "s" + ")" * n + "\n",
    "template brackets": lambda n: 'A <- "{' + "[" * n + "s" + "]" * n + '}"\n',
    "if chain": lambda n: "A <- " + "if s == 1 then 1 else " * n + "0\n",
    "plus chain": lambda n: "A <- s" + " & s" * (n * 10) + "\n",
    "field chain": lambda n: "A <- x" + ".a" * (n * 3) + "\n",
    "each nesting": lambda n: "A <- " + "each l as i => " * n + "i\n",
    "digits": lambda n: f"A <- {'9' * (n * 100)}\n",
    "regex": lambda n: f'A <- matches(s, "(a+)+\\{{{n}\\}}b")\n',
}


@st.composite
def hostile_scripts(draw: st.DrawFn) -> str:
    parts = draw(st.lists(st.sampled_from(sorted(HOSTILE_PARTS)), min_size=1, max_size=3))
    size = draw(st.integers(min_value=2, max_value=60))
    script = "".join(HOSTILE_PARTS[part](size) for part in parts)
    if draw(st.booleans()):
        script += "\ud800" if draw(st.booleans()) else "\x00"
    return script


@settings(
    max_examples=20,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=list(HealthCheck),
)
@given(script=hostile_scripts())
def test_generated_hostile_scripts_never_break_the_service(service: Service, script: str) -> None:
    record = {"s": "a" * 64, "x": {"a": 1}, "l": [1, 2, 3]}
    with httpx.Client(base_url=service.url, timeout=60) as client:
        body = simplejson.dumps({"script": script, "records": [record]}, ensure_ascii=True)
        for path in ("/api/v1/scripts/lint", "/api/v1/scripts/preview"):
            answer = client.post(
                path,
                content=body,
                headers={**service.keys["acme"], "Content-Type": "application/json"},
            )
            assert answer.status_code in (200, 422), (path, answer.status_code, answer.text)
        started = time.monotonic()
        lint = client.post(
            "/api/v1/scripts/lint",
            json={"script": "A <- 1\n"},
            headers=service.keys["globex"],
            timeout=LIVENESS_SECONDS,
        )
    assert lint.status_code == 200
    assert time.monotonic() - started < LIVENESS_SECONDS
    assert service.peak_memory_mb() < SERVICE_MEMORY_CAP_MB


def rest(base_url: str) -> dict[str, Any]:
    return {
        "name": "probe",
        "kind": "rest",
        "base_url": base_url,
        "credentials": {"token": "tenant-secret"},
        "options": {"description": {"name": "p", "objects": {"t": {"list": {"path": "/t"}}}}},
    }


async def test_ssrf_attempts_are_refused(service: Service) -> None:
    port = service.url.rsplit(":", 1)[1]
    async with service.client() as client:
        for url in (
            service.url,
            f"http://localhost:{port}/api/v1",
            f"http://[::ffff:127.0.0.1]:{port}",
            "http://169.254.169.254/latest/meta-data/iam",
            "http://10.0.0.1:5432",
        ):
            answer = await client.post(
                "/api/v1/connections", json=rest(url), headers=service.keys["acme"]
            )
            assert answer.status_code == 422, (url, answer.text)
            assert "MAPWRIGHT_EGRESS_ALLOW" in answer.json()["detail"]
        flow = {"name": "f", "script": "flow f\nA <- 1\n"}
        await client.post("/api/v1/flows", json=flow, headers=service.keys["acme"])
        hook = {"kind": "webhook", "url": f"{service.url}/api/v1/keys"}
        added = await client.post("/api/v1/flows/f/alerts", json=hook, headers=service.keys["acme"])
        assert added.status_code == 201, added.text
        sent = await client.post("/api/v1/flows/f/alerts/test", headers=service.keys["acme"])
        assert [s["delivered"] for s in sent.json()] == [False]
    await probe(service)


async def test_file_root_escapes_are_refused(service: Service) -> None:
    root = service.data / "files" / "acme"
    (root / "etc").symlink_to("/etc")
    secret = service.data / "secret.jsonl"
    secret.write_text('{"id": 1, "token": "hunter2"}\n', encoding="utf-8")
    (root / "in").mkdir()
    (root / "in" / "orders.jsonl").symlink_to(secret)
    async with service.client() as client:
        for folder in ("/etc", "../globex", "etc", "in/../../../"):
            connection = {"name": "files", "kind": "files", "options": {"folder": folder}}
            answer = await client.post(
                "/api/v1/connections", json=connection, headers=service.keys["acme"]
            )
            assert answer.status_code == 422, (folder, answer.text)
        linked = {"name": "files", "kind": "files", "options": {"folder": "in"}}
        answer = await client.post("/api/v1/connections", json=linked, headers=service.keys["acme"])
        assert answer.status_code == 422
        assert "hunter2" not in answer.text and str(service.data) not in answer.text
    await probe(service)


def test_the_service_process_exits_after_a_runaway_script(tmp_path: Any) -> None:
    """Why the schemathesis module once printed its passes and never exited: a runaway
    script thread was joined at interpreter exit. Worker processes end with the service."""
    program = textwrap.dedent(
        f"""
        import asyncio, httpx
        from mapwright.api.app import create_app
        from mapwright.api.services import create_tenant
        from mapwright.api.settings import ApiSettings
        from mapwright.api.vault import Vault

        app = create_app(ApiSettings(
            data_dir={str(tmp_path)!r}, secret_key=Vault.new_key(), script_timeout=1
        ))
        key = create_tenant(app.state.services, "t")

        async def main():
            transport = httpx.ASGITransport(app=app)
            async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
                answer = await client.post(
                    "/api/v1/scripts/preview",
                    json={{"script": {EXPONENTIAL!r}, "records": [{{"n": 1}}] * 200}},
                    headers={{"Authorization": "Bearer " + key}},
                )
            print(answer.status_code)

        asyncio.run(main())
        """
    )
    done = subprocess.run(
        [sys.executable, "-c", program], capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "422"

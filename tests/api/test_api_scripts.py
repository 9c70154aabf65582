"""The scripts router: lint, format, tests, preview with a per-field trace, run."""

from __future__ import annotations

import asyncio

from conftest import World

SCRIPT = """setting country: text = "DE"
let full = first & " " & last
Name <- full
Address.Country <- settings.country
Email <- lower(email)
"""

FLOW = """flow customers
source buchhaltungsbutler.debtors
target exact_online
upsert exact_online.accounts as debtor match Email = lower(email) {
  Name <- name
  Code <- text(number) on create
}
"""


async def test_lint_reports_problems_with_positions(world: World) -> None:
    response = await world.client.post(
        "/api/v1/scripts/lint", json={"script": "Name <- (first"}, headers=world.admin
    )
    assert response.status_code == 200
    body = response.json()
    assert body["ok"] is False
    first = body["diagnostics"][0]
    assert first["line"] == 1 and first["column"] >= 1 and first["message"]


async def test_lint_of_a_good_script_is_clean(world: World) -> None:
    response = await world.client.post(
        "/api/v1/scripts/lint", json={"script": SCRIPT}, headers=world.admin
    )
    assert response.json() == {"ok": True, "diagnostics": []}


async def test_format_returns_the_canonical_layout(world: World) -> None:
    response = await world.client.post(
        "/api/v1/scripts/format", json={"script": "Name   <-   first"}, headers=world.admin
    )
    assert response.status_code == 200
    assert response.json() == {"script": "Name <- first\n", "changed": True}


async def test_format_of_a_broken_script_is_422_with_the_position(world: World) -> None:
    response = await world.client.post(
        "/api/v1/scripts/format", json={"script": "Name <- (first"}, headers=world.admin
    )
    assert response.status_code == 422
    assert response.json()["errors"][0]["loc"].startswith("script:1:")


async def test_preview_maps_records_and_traces_each_field_to_its_rule(world: World) -> None:
    response = await world.client.post(
        "/api/v1/scripts/preview",
        json={
            "script": SCRIPT,
            "records": [{"first": "Jana", "last": "Müller", "email": "JM@X.DE"}],
            "settings": {"country": "AT"},
        },
        headers=world.admin,
    )
    assert response.status_code == 200, response.text
    result = response.json()["results"][0]
    assert result["status"] == "ok"
    assert result["result"] == {
        "Name": "Jana Müller",
        "Address": {"Country": "AT"},
        "Email": "jm@x.de",
    }
    by_field = {entry["field"]: entry["rules"][0] for entry in result["trace"]}
    assert by_field["Name"]["line"] == 3 and by_field["Name"]["text"] == "Name <- full"
    assert by_field["Address.Country"]["line"] == 4
    assert by_field["Email"]["line"] == 5


async def test_preview_traces_fields_of_operations(world: World) -> None:
    response = await world.client.post(
        "/api/v1/scripts/preview",
        json={"script": FLOW, "records": [{"name": "Acme", "number": 7, "email": "A@B.C"}]},
        headers=world.admin,
    )
    result = response.json()["results"][0]
    assert result["result"]["operations"][0]["fields"] == {"Name": "Acme", "Code": "7"}
    trace = {(e["target"], e["field"]): e["rules"][0] for e in result["trace"]}
    assert trace[("exact_online.accounts as debtor", "Code")]["policy"] == "on_create"
    assert trace[("exact_online.accounts as debtor", "Name")]["line"] == 5


async def test_preview_reports_a_runtime_error_with_its_position(world: World) -> None:
    response = await world.client.post(
        "/api/v1/scripts/preview",
        json={
            "script": "Total <- number(amount) * 2\n",
            "records": [{"amount": "abc"}, {"amount": 2}],
        },
        headers=world.admin,
    )
    body = response.json()
    assert body["counts"] == {"ok": 1, "skipped": 0, "parked": 0, "error": 1}
    error = body["results"][0]["error"]
    assert error["line"] == 1 and error["message"]
    assert body["results"][1]["result"] == {"Total": 4}


async def test_preview_uses_posted_lookups_and_parks(world: World) -> None:
    script = 'let i = require(exact_online.items, Code = sku, "no item {sku}")\nItem <- i.ID\n'
    response = await world.client.post(
        "/api/v1/scripts/preview",
        json={
            "script": script,
            "records": [{"sku": "A"}, {"sku": "B"}],
            "lookups": {"exact_online.items": [{"Code": "A", "ID": "guid-a"}]},
        },
        headers=world.admin,
    )
    results = response.json()["results"]
    assert results[0]["result"] == {"Item": "guid-a"}
    assert results[1] == {**results[1], "status": "parked", "reason": "no item B"}


async def test_run_keeps_exact_decimal_amounts(world: World) -> None:
    response = await world.client.post(
        "/api/v1/scripts/run",
        json={"script": "Gross <- net * 1.19\n", "records": [{"net": 10.10}]},
        headers=world.admin,
    )
    assert response.status_code == 200
    assert '"Gross": 12.019}' in response.text  # a float product would be 12.018999999999998
    assert response.json()["results"][0].get("trace") is None


async def test_invalid_settings_name_the_setting(world: World) -> None:
    response = await world.client.post(
        "/api/v1/scripts/preview",
        json={"script": SCRIPT, "records": [{}], "settings": {"countyr": "AT"}},
        headers=world.admin,
    )
    assert response.status_code == 422
    assert response.json()["errors"][0]["loc"] == "settings.countyr"


async def test_embedded_tests_run(world: World) -> None:
    script = 'Name <- upper(n)\ntest "upper" { input: {n: "a"}, expect: {Name: "A"} }\n'
    response = await world.client.post(
        "/api/v1/scripts/test", json={"script": script}, headers=world.admin
    )
    assert response.json()["passed"] == 1


async def test_viewer_may_preview_but_not_run(world: World) -> None:
    viewer = world.key("viewer")
    body = {"script": "A <- 1\n", "records": [{}]}
    assert (
        await world.client.post("/api/v1/scripts/preview", json=body, headers=viewer)
    ).status_code == 200
    refused = await world.client.post("/api/v1/scripts/run", json=body, headers=viewer)
    assert refused.status_code == 403
    assert refused.headers["content-type"] == "application/problem+json"


async def test_too_many_records_is_a_clear_422(world: World) -> None:
    body = {"script": "A <- 1\n", "records": [{}] * 201}
    response = await world.client.post("/api/v1/scripts/run", json=body, headers=world.admin)
    assert response.status_code == 422
    assert response.json()["errors"][0]["loc"] == "body.records"


#: 2**40 additions per record: hours without limits; with the language's step budget each
#: record stops after a million steps, so 200 records still take far longer than a second
BOMB = "\n".join(
    ["def f0(x) = x + 1"]
    + [f"def f{i}(x) = f{i - 1}(x) + f{i - 1}(x)" for i in range(1, 41)]
    + ["A <- f40(n)", ""]
)


def _alive(pid: int) -> bool:
    """Whether ``pid`` is a live process (a zombie counts as gone: it uses no CPU)."""
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii") as handle:
            return handle.read().rsplit(")", 1)[1].split()[0] != "Z"
    except FileNotFoundError:
        return False


async def test_a_runaway_preview_is_killed_at_the_time_limit(make_world, settings) -> None:
    world = await make_world(settings=settings.model_copy(update={"script_timeout": 1.0}))
    response = await world.client.post(
        "/api/v1/scripts/preview",
        json={"script": BOMB, "records": [{"n": n} for n in range(200)]},
        headers=world.admin,
    )
    assert response.status_code == 422
    assert "time limit of 1 s" in response.json()["detail"]
    assert response.json()["errors"] == [{"loc": "script", "msg": "time limit 1 s"}]
    pool = world.services.scripts
    assert len(pool.killed) == 1 and not _alive(pool.killed[0])
    assert pool.busy_pids() == []
    lint = await world.client.post(
        "/api/v1/scripts/lint", json={"script": "A <- 1\n"}, headers=world.admin
    )
    assert lint.json() == {"ok": True, "diagnostics": []}


async def test_a_tenant_over_its_script_concurrency_gets_429(make_world, settings) -> None:
    world = await make_world(
        settings=settings.model_copy(update={"script_timeout": 1.0, "script_concurrency": 1})
    )
    body = {"script": BOMB, "records": [{"n": n} for n in range(200)]}
    first, second = await asyncio.gather(
        world.client.post("/api/v1/scripts/preview", json=body, headers=world.admin),
        world.client.post("/api/v1/scripts/preview", json=body, headers=world.admin),
    )
    statuses = sorted([first.status_code, second.status_code])
    assert statuses == [422, 429]
    refused = first if first.status_code == 429 else second
    assert refused.headers["Retry-After"] == "1"
    assert "limit is 1 at a time" in refused.json()["detail"]


def _peak_rss_mb() -> float:
    with open("/proc/self/status", encoding="ascii") as handle:
        line = next(x for x in handle if x.startswith("VmHWM:"))
    return int(line.split()[1]) / 1024


async def test_memory_of_a_script_is_capped_in_its_worker(make_world, settings) -> None:
    world = await make_world(settings=settings.model_copy(update={"script_memory_mb": 256}))
    doubling = "\n".join(
        ["let s0 = text(n)"] + [f"let s{i} = s{i - 1} & s{i - 1}" for i in range(1, 34)]
    )
    before = _peak_rss_mb()
    response = await world.client.post(
        "/api/v1/scripts/preview",
        json={"script": doubling + "\nA <- length(s33)\n", "records": [{"n": 1}]},
        headers=world.admin,
    )
    # 2**33 characters: the worker runs out of its 256 MB (the job or the record fails)
    if response.status_code == 422:
        assert response.json()["errors"] == [{"loc": "script", "msg": "memory limit 256 MB"}]
    else:
        assert response.json()["counts"]["error"] == 1, response.text
    assert _peak_rss_mb() - before < 256, "the service process did the work itself"


async def test_json_numbers_keep_every_digit_end_to_end(world: World) -> None:
    raw = (
        '{"script": "A <- x\\nB <- y\\nC <- x * 2\\n", "records": '
        '[{"x": 1.23456789012345678901e5, "y": 12345678901234567890e0}]}'
    )
    response = await world.client.post(
        "/api/v1/scripts/run",
        content=raw,
        headers={**world.admin, "Content-Type": "application/json"},
    )
    assert response.status_code == 200, response.text
    text = response.text
    assert '"A": 123456.789012345678901' in text
    assert '"B": 12345678901234567890' in text
    assert '"C": 246913.578024691357802' in text


async def test_nan_and_infinity_are_not_json(world: World) -> None:
    for constant in ("NaN", "Infinity", "-Infinity"):
        raw = '{"script": "A <- x\\n", "records": [{"x": ' + constant + "}]}"
        response = await world.client.post(
            "/api/v1/scripts/preview",
            content=raw,
            headers={**world.admin, "Content-Type": "application/json"},
        )
        assert response.status_code == 422, (constant, response.text)
        assert response.json()["errors"] == [{"loc": "body", "msg": "not valid JSON"}]

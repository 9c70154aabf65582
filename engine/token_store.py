"""Exact Online tokens for many processes: encrypted in the store, refreshed single-flight.

Exact rotates the refresh token on every refresh and the old one dies once the new pair is
used, so every process must (1) refresh under one lock across processes and (2) read the
newest pair under that lock. ``connectors/exact_online/auth.TokenManager`` already re-reads
the store under ``refresh_lock()``; here the lock is a PostgreSQL advisory lock
(``pg_try_advisory_lock``, polled so a cancelled waiter never leaves a lock behind) and the
tokens live encrypted with the service's key (``engine/vault.py``), never in files:

* a connection saved by the service keeps them inside its encrypted credentials (the
  engine's own token store for it), refreshed under ``Connections.lock_for``, which becomes a
  ``SharedLock`` (the in-process lock plus the advisory lock);
* a connection from ``mapwright.toml`` with a bare ``refresh_token`` keeps them in the table
  ``mw_tokens`` (``VaultTokenStore``), one row per connection name, seeded from that refresh
  token. Pasting a new refresh token into the file (after a new consent) re-seeds the row.
  The table is part of the alembic history (revision 0005, ``engine/schema.py``). The
  tokens are the connector's own: the row holds their ``to_json()``, read back with the
  declaration's ``oauth.tokens_from_json`` and seeded with its ``oauth.token_file_seed``
  (any kind whose declaration says ``token_store`` and has an OAuth protocol).

``use_vault_tokens(connections)`` switches a ``Connections`` to these stores (what
``engine.scale.enable_sharing`` does for a PostgreSQL store).
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
from collections.abc import AsyncIterator, Callable, Mapping
from typing import Any

import sqlalchemy as sa
from mapwright.connectors import registry
from mapwright.engine.connections import Connections, connector_class
from mapwright.engine.errors import FlowInvalid
from mapwright.engine.schema import tokens as tokens_table
from mapwright.engine.store import Store, utcnow
from mapwright.engine.vault import Vault

POLL = 0.02


@contextlib.asynccontextmanager
async def advisory_lock(store: Store, name: str, poll: float = POLL) -> AsyncIterator[None]:
    """Hold a session advisory lock named ``name`` on its own connection."""
    conn = await asyncio.to_thread(store.engine.connect)
    try:
        query = sa.text("SELECT pg_try_advisory_lock(hashtextextended(:n, 11))")
        while True:
            got = await asyncio.to_thread(lambda: conn.execute(query, {"n": name}).scalar())
            await asyncio.to_thread(conn.commit)
            if got:
                break
            await asyncio.sleep(poll)
        try:
            yield
        finally:
            unlock = sa.text("SELECT pg_advisory_unlock(hashtextextended(:n, 11))")
            with contextlib.suppress(sa.exc.DBAPIError):
                await asyncio.to_thread(lambda: conn.execute(unlock, {"n": name}))
                await asyncio.to_thread(conn.commit)
    finally:
        await asyncio.to_thread(conn.close)


class SharedLock:
    """The per-connection lock of ``Connections.lock_for`` made to span processes: the
    in-process ``asyncio.Lock`` first, then the advisory lock."""

    def __init__(self, local: asyncio.Lock, store: Store, name: str):
        self.local = local
        self.store = store
        self.name = name
        self._held: contextlib.AbstractAsyncContextManager[None] | None = None

    async def __aenter__(self) -> None:
        await self.local.acquire()
        try:
            held = advisory_lock(self.store, self.name)
            await held.__aenter__()
            self._held = held
        except BaseException:
            self.local.release()
            raise

    async def __aexit__(self, *exc: Any) -> None:
        held, self._held = self._held, None
        try:
            if held is not None:
                await held.__aexit__(*exc)
        finally:
            self.local.release()


class VaultTokenStore:
    """Tokens of a configured connection, encrypted in ``mw_tokens``; see the module docs.

    ``seed`` is the JSON of the first tokens (the declaration's ``token_file_seed``: a bare
    refresh token), ``tokens`` turns JSON into the connector's tokens (its declaration's
    ``tokens_from_json``); what is stored is their ``to_json()``."""

    def __init__(
        self,
        store: Store,
        vault: Vault,
        connection: str,
        seed: Mapping[str, Any],
        tokens: Callable[[Mapping[str, Any]], Any],
    ):
        self.store = store
        self.vault = vault
        self.connection = connection
        self.seed = dict(seed)
        self.tokens = tokens
        self.fingerprint = hashlib.sha256(str(seed.get("refresh_token")).encode()).hexdigest()
        self._lock = asyncio.Lock()

    def _read(self) -> Any:
        with self.store.begin() as c:
            row = c.execute(
                sa.select(tokens_table).where(tokens_table.c.connection == self.connection)
            ).first()
        if row is not None and row.seed == self.fingerprint:
            return self.tokens(self.vault.decrypt(row.data)["tokens"])
        return self.tokens(self.seed)

    def _write(self, tokens: Any) -> None:
        data = self.vault.encrypt({"tokens": tokens.to_json()})
        values = {"seed": self.fingerprint, "data": data, "updated_at": utcnow()}
        where = tokens_table.c.connection == self.connection
        with self.store.begin() as c:
            if c.execute(tokens_table.update().where(where).values(**values)).rowcount == 0:
                c.execute(tokens_table.insert().values(connection=self.connection, **values))

    async def load(self) -> Any:
        return await asyncio.to_thread(self._read)

    async def save(self, tokens: Any) -> None:
        await asyncio.to_thread(self._write, tokens)

    @contextlib.asynccontextmanager
    async def refresh_lock(self) -> AsyncIterator[None]:
        async with self._lock, advisory_lock(self.store, f"mw-token|config|{self.connection}"):
            yield


def use_vault_tokens(connections: Connections) -> None:
    """Make ``connections`` keep rotating tokens as this module says (see its docstring).

    Stored connections: ``lock_for`` (the lock their token store refreshes under) becomes a
    ``SharedLock``. Configured ones with a bare refresh token: ``build`` gives the connector a
    ``VaultTokenStore`` instead of a token file."""
    store = connections.store
    if store is None:
        return
    local_lock = connections.lock_for
    plain_build = connections.build

    def lock_for(tenant: str, name: str) -> Any:
        return SharedLock(local_lock(tenant, name), store, f"mw-token|{tenant}|{name}")

    def build(tenant: str, name: str) -> Any:
        if name in connections.configs and name not in connections.instances:
            config = connections.configs[name]
            shared = vault_store_for(connections, name, config)
            if shared is not None:
                cls = connector_class(config.kind)
                return cls(config, transport=connections.transports.get(name), token_store=shared)  # type: ignore[call-arg]
        return plain_build(tenant, name)

    connections.lock_for = lock_for  # type: ignore[method-assign]
    connections.build = build  # type: ignore[method-assign]


def vault_store_for(connections: Connections, name: str, config: Any) -> VaultTokenStore | None:
    """The ``VaultTokenStore`` of a configured connection with a bare refresh token."""
    creds = config.credentials
    declared = registry.declarations().get(config.kind)
    oauth = declared.oauth if declared is not None else None
    if declared is None or not declared.token_store or oauth is None:
        return None  # its tokens do not rotate
    if connections.store is None:
        return None
    if creds.get("tokens"):
        return None  # the user chose inline tokens
    seed = oauth.token_file_seed(creds, config.base_url)
    if seed is None:
        return None  # a token file, or no refresh token to start from
    if connections.vault is None:
        raise FlowInvalid(
            f"connection '{name}': several processes share its rotating {declared.title} "
            "tokens, which are kept encrypted in the store: set MAPWRIGHT_SECRET_KEY "
            "(mapwright api new-key) for every worker and service process"
        )
    return VaultTokenStore(connections.store, connections.vault, name, seed, oauth.tokens_from_json)

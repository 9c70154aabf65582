"""Settings of the REST service: the engine's ``Settings`` (data folder, store, secret key,
tenant, connections, flows; ``engine/config.py``) plus what only the service needs. Read from
the environment (``MAPWRIGHT_*``), the ``[service]`` table of ``mapwright.toml`` (through
``load_settings(model=ApiSettings)``) or given in code.

::

    MAPWRIGHT_DATA_DIR=./mapwright-data     # shared with the CLI: the SQLite file, secret.key
    MAPWRIGHT_STORE_URL=postgresql+psycopg://user@host/db   # wins over DATA_DIR
    MAPWRIGHT_SECRET_KEY=<Fernet key>       # encrypts credentials; several keys, comma
                                            # separated, newest first, during a rotation
    MAPWRIGHT_MAX_BODY_BYTES=1048576        # request size limit
    MAPWRIGHT_SCRIPT_TIMEOUT=5              # seconds a script job may run (then killed)
    MAPWRIGHT_SCRIPT_WORKERS=4              # script worker processes
    MAPWRIGHT_SCRIPT_CONCURRENCY=2          # script jobs per tenant at a time (then 429)
    MAPWRIGHT_SCRIPT_MEMORY_MB=512          # address space of one script worker
    MAPWRIGHT_EGRESS_ALLOW=erp.internal,10.1.0.0/16   # hosts/networks tenants may reach
                                            # although private (patterns: *.example.com)
    MAPWRIGHT_EGRESS_ONLY_ALLOWED=false     # true: nothing but the allow-list
    MAPWRIGHT_EGRESS_ALLOW_PRIVATE=false    # true: no private-range check (one trusted tenant)
    MAPWRIGHT_FILES_ROOT=/srv/mapwright/files   # file connections: <root>/<tenant>; unset = off
    MAPWRIGHT_DESCRIPTIONS_DIR=/srv/mapwright/apis  # REST description files; unset = inline only
    MAPWRIGHT_PAYLOAD_TTL_DAYS=30           # default payload retention of every tenant
    MAPWRIGHT_SMTP_HOST / _PORT / _FROM / _USER / _PASSWORD / _STARTTLS   # e-mail alerts

``docs/api.md`` (section Security) explains each limit.
"""

from __future__ import annotations

from pathlib import Path

from mapwright.api.egress import EgressPolicy
from mapwright.engine.config import Settings
from pydantic import Field


class ApiSettings(Settings):
    """Everything the app factory needs; see the module docstring for the variables."""

    max_body_bytes: int = Field(default=1_048_576, ge=1024)
    script_timeout: float = Field(default=5.0, gt=0)
    script_workers: int = Field(default=4, ge=1, le=256)
    script_concurrency: int = Field(default=2, ge=1, le=256)
    script_memory_mb: int = Field(default=512, ge=128)
    egress_allow: str = ""
    egress_only_allowed: bool = False
    egress_allow_private: bool = False
    files_root: Path | None = None
    descriptions_dir: Path | None = None
    payload_ttl_days: int = Field(default=30, ge=1, le=3650)
    max_run_wait: float = Field(default=60.0, ge=0)
    share_link_ttl_days: int = Field(default=30, ge=1)
    scheduler_tick: float = Field(default=15.0, gt=0)
    public_url: str = "http://127.0.0.1:8000"
    smtp_host: str | None = None  # no SMTP server: e-mail alert channels are refused
    smtp_port: int = 25
    smtp_from: str = "mapwright@localhost"
    smtp_user: str | None = None
    smtp_password: str | None = None
    smtp_starttls: bool = False
    alert_timeout: float = Field(default=10.0, gt=0)

    def egress_policy(self) -> EgressPolicy:
        return EgressPolicy.parse(
            self.egress_allow,
            only_allowed=self.egress_only_allowed,
            allow_private=self.egress_allow_private,
        )

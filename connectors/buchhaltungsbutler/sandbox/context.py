"""What every sandbox handler gets: the store, the settings and the clock."""

from __future__ import annotations

import datetime as dt
import os
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, fields
from typing import Any
from zoneinfo import ZoneInfo

from mapwright.connectors.buchhaltungsbutler.sandbox.store import Store

BERLIN = ZoneInfo("Europe/Berlin")
ENV_PREFIX = "MAPWRIGHT_BB_SANDBOX_"


@dataclass
class BBSettings:
    """Sandbox behaviour, set through ``SandboxOptions.extra`` (see the docs page).

    ``over_limit_status``: the status for requests over 100/min on endpoints that do not
    document 403/15 (BB's real behaviour is unknown; ours: 429 with code 15). ``clock``: a
    ``() -> float`` UNIX-time source for rate limits and timestamps (tests inject a fake one).
    """

    api_client: str = "sandbox-client"
    api_secret: str = "sandbox-secret"
    api_key: str = "sandbox-api-key"
    tenant_active: bool = True
    rate_limit: int = 100
    rate_window_seconds: float = 60.0
    upload_limit: int = 10
    batch_interval_seconds: float = 5.0
    over_limit_status: int = 429
    debtor_page_max: int = 1000
    unique_invoice_numbers: bool = True
    upload_quota: int | None = None
    clock: Callable[[], float] = field(default=time.time)

    @classmethod
    def from_extra(
        cls, extra: dict[str, Any], environ: Mapping[str, str] | None = None
    ) -> BBSettings:
        """Settings from ``extra``, else ``MAPWRIGHT_BB_SANDBOX_<NAME>`` variables, else defaults.

        The variables let ``mapwright sandbox buchhaltungsbutler`` (which has no flags for
        sandbox-specific settings) run with e.g. ``MAPWRIGHT_BB_SANDBOX_OVER_LIMIT_STATUS=403``.
        """
        known = {f.name: f for f in fields(cls)}
        unknown = set(extra) - set(known)
        if unknown:
            raise ValueError(
                f"BuchhaltungsButler sandbox: unknown option(s) {', '.join(sorted(unknown))}; "
                f"known: {', '.join(sorted(known))}"
            )
        environ = os.environ if environ is None else environ
        values = dict(extra)
        for name in known:
            variable = ENV_PREFIX + name.upper()
            if name not in values and name != "clock" and variable in environ:
                values[name] = _parse(variable, environ[variable], getattr(cls(), name))
        settings = cls(**values)
        if settings.over_limit_status not in (403, 429, 503):
            raise ValueError("over_limit_status must be 403, 429 or 503")
        return settings


def _parse(variable: str, raw: str, default: Any) -> Any:
    """An environment value in the type of the setting's default."""
    text = raw.strip()
    try:
        if isinstance(default, bool):
            if text.lower() not in ("1", "0", "true", "false"):
                raise ValueError(text)
            return text.lower() in ("1", "true")
        if isinstance(default, float):
            return float(text)
        if isinstance(default, int) or default is None:
            return None if default is None and text == "" else int(text)
    except ValueError:
        raise ValueError(f"{variable}={raw!r} is not a valid value for this setting") from None
    return text


@dataclass
class Context:
    store: Store
    settings: BBSettings

    def now(self) -> dt.datetime:
        """The sandbox's Berlin wall time (naive), from the injectable clock."""
        return dt.datetime.fromtimestamp(self.settings.clock(), BERLIN).replace(tzinfo=None)

    def stamp(self) -> str:
        return self.now().strftime("%Y-%m-%d %H:%M:%S")

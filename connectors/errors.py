"""Errors of the connector layer, sorted by what the runner must do.

::

    ConnectorError                     every error a connector raises
    ├── FatalError                     stop the run (bad credentials, app blocked, bad config)
    │   ├── AuthError                  credentials rejected or consent missing
    │   ├── UnsupportedObject          the system has no API object for this role
    │   └── QuotaExhausted             a daily/hourly budget is spent; says when it resets
    ├── RetriableError                 back off and try again (429, 5xx, timeouts)
    │                                  (maybe_committed: a write's answer was lost)
    └── SkippableError                 this record cannot be written: park it with the
                                       target's own message, go on with the next

Every error carries the target's status and error code where there is one, and a message a
person can act on. Errors are keyed by status/code, never by parsing message text.
"""

from __future__ import annotations


class ConnectorError(Exception):
    def __init__(
        self,
        message: str,
        *,
        status: int | None = None,
        code: str | None = None,
        endpoint: str | None = None,
    ):
        super().__init__(message)
        self.message = message
        self.status = status
        self.code = code
        self.endpoint = endpoint

    def __str__(self) -> str:
        parts = [self.message]
        if self.endpoint:
            parts.append(f"(endpoint {self.endpoint}")
            parts[-1] += f", HTTP {self.status})" if self.status else ")"
        elif self.status:
            parts.append(f"(HTTP {self.status})")
        return " ".join(parts)


class FatalError(ConnectorError):
    """The run cannot go on: stop it and tell the user what to fix."""


class AuthError(FatalError):
    """Credentials were rejected, expired beyond refresh, or consent is missing."""


class UnsupportedObject(FatalError):
    """The system has no API object for the requested role; ``alternative`` says what to use."""

    def __init__(self, message: str, *, alternative: str | None = None):
        super().__init__(message)
        self.alternative = alternative


class QuotaExhausted(FatalError):
    """A budget (daily calls, error budget) is spent; ``resets_at`` is a UNIX time or None."""

    def __init__(self, message: str, *, resets_at: float | None = None, **kw: object):
        super().__init__(message, **kw)  # type: ignore[arg-type]
        self.resets_at = resets_at


class RetriableError(ConnectorError):
    """A passing failure: wait ``retry_after`` seconds (or back off) and try again.

    ``maybe_committed`` is True when a write reached the server but its answer was lost (read
    timeout, dropped connection): before sending it again, look the record up by its natural
    key, or a retry may create it twice.
    """

    def __init__(
        self,
        message: str,
        *,
        retry_after: float | None = None,
        maybe_committed: bool = False,
        **kw: object,
    ):
        super().__init__(message, **kw)  # type: ignore[arg-type]
        self.retry_after = retry_after
        self.maybe_committed = maybe_committed


class SkippableError(ConnectorError):
    """The target refused this record (validation, duplicate...): park it, go on."""

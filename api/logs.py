"""Structured JSON logs without secrets, on ``structlog``.

``configure`` puts a ``structlog`` ``ProcessorFormatter`` on mapwright's and uvicorn's
loggers: one JSON object per line (time, level, logger, message, extra fields, error).
Before anything is written, the text is scrubbed: every secret the vault has seen is
replaced by ``***``, as are bearer tokens, API keys (``mw_...``) and values of keys named
like secrets (``password=...``, ``"client_secret": "..."``).
"""

from __future__ import annotations

import json
import logging
import re
import sys
from collections.abc import MutableMapping
from typing import Any

import structlog
from mapwright.engine.vault import SECRETS

PATTERNS = [
    re.compile(r"(?i)(bearer\s+)[A-Za-z0-9._~+/=\-]+"),
    re.compile(r"\bmw_[A-Za-z0-9_\-]{8,}"),
    re.compile(
        r"(?i)((?:password|secret|token|api_key|apikey|client_secret|refresh_token|"
        r"access_token)[\"']?\s*[:=]\s*[\"']?)[^\"'\s,&}]+"
    ),
]


def scrub(text: str) -> str:
    """``text`` with every known secret and secret-looking value masked."""
    text = SECRETS.mask(text)
    for pattern in PATTERNS:
        text = pattern.sub(lambda m: (m.group(1) if m.groups() else "") + "***", text)
    return text


def _scrubbed_json(_logger: Any, _name: str, event: MutableMapping[str, Any]) -> str:
    # Hand-written: masking secrets in the rendered line (the vault's known secrets and
    # secret-looking values anywhere in it) is our rule; structlog has no such processor.
    if "exception" in event:
        event["error"] = event.pop("exception")
    event.pop("color_message", None)  # uvicorn's terminal copy of the message (ANSI codes)
    return scrub(json.dumps(event, default=str, ensure_ascii=False))


def formatter() -> logging.Formatter:
    """The JSON-lines formatter for standard-library log records."""
    return structlog.stdlib.ProcessorFormatter(
        foreign_pre_chain=[
            structlog.processors.TimeStamper(fmt="iso", utc=True, key="time"),
            structlog.stdlib.add_log_level,
            structlog.stdlib.add_logger_name,
            structlog.stdlib.ExtraAdder(),
        ],
        processors=[
            structlog.stdlib.ProcessorFormatter.remove_processors_meta,
            structlog.processors.format_exc_info,
            structlog.processors.EventRenamer("message"),
            _scrubbed_json,
        ],
    )


def configure(level: str = "INFO", stream: Any = None) -> logging.Handler:
    """Send mapwright's and uvicorn's logs as JSON lines to ``stream`` (stderr)."""
    handler = logging.StreamHandler(stream or sys.stderr)
    handler.setFormatter(formatter())
    for name in ("mapwright", "uvicorn", "uvicorn.error", "uvicorn.access"):
        logger = logging.getLogger(name)
        logger.handlers = [handler]
        logger.setLevel(level)
        logger.propagate = False
    return handler

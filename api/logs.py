"""Structured JSON logs without secrets.

``JsonFormatter`` writes one JSON object per line (time, level, logger, message, extra
fields). Before anything is written, the text is scrubbed: every secret the vault has seen
is replaced by ``***``, as are bearer tokens, API keys (``mw_...``) and values of keys
named like secrets (``password=...``, ``"client_secret": "..."``).
"""

from __future__ import annotations

import json
import logging
import re
import sys
import time
from typing import Any

from mapwright.engine.vault import SECRETS

PATTERNS = [
    re.compile(r"(?i)(bearer\s+)[A-Za-z0-9._~+/=\-]+"),
    re.compile(r"\bmw_[A-Za-z0-9_\-]{8,}"),
    re.compile(
        r"(?i)((?:password|secret|token|api_key|apikey|client_secret|refresh_token|"
        r"access_token)[\"']?\s*[:=]\s*[\"']?)[^\"'\s,&}]+"
    ),
]
STANDARD = set(logging.makeLogRecord({}).__dict__) | {"message", "asctime"}


def scrub(text: str) -> str:
    """``text`` with every known secret and secret-looking value masked."""
    text = SECRETS.mask(text)
    for pattern in PATTERNS:
        text = pattern.sub(lambda m: (m.group(1) if m.groups() else "") + "***", text)
    return text


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        data: dict[str, Any] = {
            "time": time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(record.created))
            + f".{int(record.msecs):03d}Z",
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": record.getMessage(),
        }
        for key, value in record.__dict__.items():
            if key not in STANDARD and not key.startswith("_"):
                data[key] = value
        if record.exc_info:
            data["error"] = self.formatException(record.exc_info)
        return scrub(json.dumps(data, default=str, ensure_ascii=False))


def configure(level: str = "INFO", stream: Any = None) -> logging.Handler:
    """Send mapwright's and uvicorn's logs as JSON lines to ``stream`` (stderr)."""
    handler = logging.StreamHandler(stream or sys.stderr)
    handler.setFormatter(JsonFormatter())
    for name in ("mapwright", "uvicorn", "uvicorn.error", "uvicorn.access"):
        logger = logging.getLogger(name)
        logger.handlers = [handler]
        logger.setLevel(level)
        logger.propagate = False
    return handler

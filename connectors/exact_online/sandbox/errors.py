"""The sandbox's error: an answer in Exact's OData error shape."""

from __future__ import annotations


class ApiError(Exception):
    """An answer ``{"error": {"code": "", "message": {"lang": "", "value": message}}}``."""

    def __init__(self, status: int, message: str):
        super().__init__(message)
        self.status = status
        self.message = message

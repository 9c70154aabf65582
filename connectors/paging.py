"""Paginators: how to get from one page of a list response to the next.

Each paginator reads a response and says where the next page is; connectors pick one per
object instead of writing paging loops by hand. ``next_request`` returns the URL/params or
body changes for the next page, or ``None`` when the list is done.
"""

from __future__ import annotations

import abc
from dataclasses import dataclass
from typing import Any

import httpx


@dataclass
class NextPage:
    """Where the next page is: a full URL (OData, Link) or updated params/body."""

    url: str | None = None
    params: dict[str, Any] | None = None
    body: dict[str, Any] | None = None


class Paginator(abc.ABC):
    @abc.abstractmethod
    def next_page(
        self, response: httpx.Response, records: list[Any], current: NextPage
    ) -> NextPage | None:
        """The next page after ``response`` (which held ``records``), or ``None``."""


class ODataNextLink(Paginator):
    """OData v2/v3 style: ``d.__next`` holds the full URL of the next page."""

    def next_page(
        self, response: httpx.Response, records: list[Any], current: NextPage
    ) -> NextPage | None:
        body = response.json()
        d = body.get("d") if isinstance(body, dict) else None
        link = d.get("__next") if isinstance(d, dict) else None
        return NextPage(url=link) if link else None


class LinkHeader(Paginator):
    """RFC 8288 ``Link: <url>; rel="next"``."""

    def next_page(
        self, response: httpx.Response, records: list[Any], current: NextPage
    ) -> NextPage | None:
        link = response.links.get("next", {}).get("url")
        return NextPage(url=str(response.url.join(link))) if link else None


class LimitOffset(Paginator):
    """``limit``/``offset`` in params or body; stops when a page comes back short."""

    def __init__(
        self,
        limit: int,
        *,
        limit_name: str = "limit",
        offset_name: str = "offset",
        in_body: bool = False,
    ):
        self.limit = limit
        self.limit_name = limit_name
        self.offset_name = offset_name
        self.in_body = in_body

    def first(self) -> dict[str, Any]:
        return {self.limit_name: self.limit, self.offset_name: 0}

    def next_page(
        self, response: httpx.Response, records: list[Any], current: NextPage
    ) -> NextPage | None:
        if len(records) < self.limit:
            return None
        source = (current.body if self.in_body else current.params) or {}
        moved = dict(source)
        moved[self.offset_name] = int(source.get(self.offset_name, 0)) + len(records)
        moved[self.limit_name] = self.limit
        return NextPage(body=moved) if self.in_body else NextPage(params=moved)


class PageNumber(Paginator):
    """``page=1,2,3...``; stops on a short or empty page."""

    def __init__(
        self, size: int, *, page_name: str = "page", size_name: str = "per_page", start: int = 1
    ):
        self.size = size
        self.page_name = page_name
        self.size_name = size_name
        self.start = start

    def first(self) -> dict[str, Any]:
        return {self.page_name: self.start, self.size_name: self.size}

    def next_page(
        self, response: httpx.Response, records: list[Any], current: NextPage
    ) -> NextPage | None:
        if len(records) < self.size:
            return None
        params = dict(current.params or {})
        params[self.page_name] = int(params.get(self.page_name, self.start)) + 1
        params[self.size_name] = self.size
        return NextPage(params=params)


class CursorField(Paginator):
    """A token in the body (``next_cursor``) sent back as a parameter."""

    def __init__(self, token_path: str, param: str):
        self.token_path = token_path
        self.param = param

    def next_page(
        self, response: httpx.Response, records: list[Any], current: NextPage
    ) -> NextPage | None:
        value: Any = response.json()
        for part in self.token_path.split("."):
            value = value.get(part) if isinstance(value, dict) else None
        if not value:
            return None
        params = dict(current.params or {})
        params[self.param] = value
        return NextPage(params=params)


class BodyNextLink(Paginator):
    """A full next-page URL inside the body at a dotted path (``links.next``), or at one key
    when the path starts with ``@`` (``@odata.nextLink``, OData v4); relative URLs are
    resolved against the response URL."""

    def __init__(self, path: str):
        self.path = path

    def next_page(
        self, response: httpx.Response, records: list[Any], current: NextPage
    ) -> NextPage | None:
        value: Any = response.json()
        for part in self.path.split(".") if not self.path.startswith("@") else [self.path]:
            value = value.get(part) if isinstance(value, dict) else None
        if not isinstance(value, str) or not value:
            return None
        return NextPage(url=str(response.url.join(value)))

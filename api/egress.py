"""Egress policy: which hosts the service may call for a tenant (connections, OAuth, alerts).

A tenant chooses the base URL of its connections and the URL of its webhooks, so without a
policy any tenant could make the service call its own loopback ports, the private network
or a cloud metadata endpoint, with the tenant's credentials attached. ``EgressTransport``
checks every request before a socket opens:

* the host is resolved once and *every* address it resolves to is checked (a name with one
  public and one private address is refused); the connection then goes to a checked
  address (the ``Host`` header and TLS name stay the original host), so a second lookup
  cannot swap the address;
* addresses that are not globally routable are refused: loopback, private (RFC 1918, ULA),
  link-local (with the cloud metadata address 169.254.169.254), carrier-grade NAT
  (100.64/10, e.g. 100.100.100.200), multicast, reserved, unspecified; IPv4-mapped IPv6
  addresses count as their IPv4 address;
* the operator's allow-list (``MAPWRIGHT_EGRESS_ALLOW``: host names, ``*.suffix`` patterns,
  addresses, CIDR networks) opens such hosts on purpose; with
  ``MAPWRIGHT_EGRESS_ONLY_ALLOWED=true`` nothing but the allow-list is reachable;
  ``MAPWRIGHT_EGRESS_ALLOW_PRIVATE=true`` lifts the range check (one trusted tenant only;
  metadata addresses stay closed unless listed).

The demo's sandboxes are in-process transports: they never reach this check. A refusal is
``EgressRefused`` (a fatal connector error: the run stops, the test call fails) and names
the setting that would allow it.
"""

from __future__ import annotations

import asyncio
import ipaddress
import socket
from dataclasses import dataclass
from typing import Any

import httpx
from mapwright.engine.connection_service import FatalError

Address = ipaddress.IPv4Address | ipaddress.IPv6Address
Network = ipaddress.IPv4Network | ipaddress.IPv6Network
METADATA: tuple[Address, ...] = (
    ipaddress.ip_address("169.254.169.254"),
    ipaddress.ip_address("100.100.100.200"),
    ipaddress.ip_address("fd00:ec2::254"),
    ipaddress.ip_address("192.0.0.192"),
)
RESOLVE_TIMEOUT = 10.0


class EgressRefused(FatalError):
    """The egress policy does not let the service call this host."""

    def __init__(self, message: str):
        super().__init__(message, code="egress_refused")


def _unmapped(address: Address) -> Address:
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        return address.ipv4_mapped
    return address


@dataclass(frozen=True)
class EgressPolicy:
    """The operator's rules; ``parse`` reads them from the settings' text form."""

    hosts: tuple[str, ...] = ()
    networks: tuple[Network, ...] = ()
    only_allowed: bool = False
    allow_private: bool = False

    @classmethod
    def parse(
        cls, allow: str, *, only_allowed: bool = False, allow_private: bool = False
    ) -> EgressPolicy:
        hosts: list[str] = []
        networks: list[Network] = []
        for entry in (part.strip() for part in allow.split(",")):
            if not entry:
                continue
            try:
                networks.append(ipaddress.ip_network(entry, strict=False))
            except ValueError:
                hosts.append(entry.lower().rstrip("."))
        return cls(tuple(hosts), tuple(networks), only_allowed, allow_private)

    def host_listed(self, host: str) -> bool:
        name = host.lower().rstrip(".")
        for pattern in self.hosts:
            if pattern.startswith("*."):
                if name.endswith(pattern[1:]):
                    return True
            elif name == pattern:
                return True
        return False

    def address_problem(self, address: Address) -> str | None:
        """Why ``address`` may not be called, or ``None`` when it may."""
        plain = _unmapped(address)
        if any(plain in network for network in self.networks):
            return None
        if self.only_allowed:
            return "not on the operator's allow-list"
        if plain in METADATA:
            return "a cloud metadata address"
        if self.allow_private or plain.is_global:
            return None
        if plain.is_loopback:
            return "a loopback address"
        if plain.is_link_local:
            return "a link-local address"
        if plain.is_private:
            return "a private address"
        return "not a public address"

    async def addresses(self, host: str, port: int) -> list[str]:
        """The addresses the service may connect to for ``host``; ``EgressRefused`` else."""
        listed = self.host_listed(host)
        if self.only_allowed and not listed and not self.networks:
            raise EgressRefused(self._refusal(host, "not on the operator's allow-list"))
        try:
            literal: Address | None = ipaddress.ip_address(host.strip("[]"))
        except ValueError:
            literal = None
        if literal is not None:
            found = [literal]
        else:
            found = await _resolve(host, port)
        if not listed:
            for address in found:
                problem = self.address_problem(address)
                if problem is not None:
                    raise EgressRefused(self._refusal(host, problem))
        return [str(address) for address in found]

    @staticmethod
    def _refusal(host: str, problem: str) -> str:
        return (
            f"the service may not call '{host}': it resolves to {problem}. Connections of a "
            "tenant reach public hosts only; an operator can allow this host with "
            "MAPWRIGHT_EGRESS_ALLOW"
        )


async def _resolve(host: str, port: int) -> list[Address]:
    loop = asyncio.get_running_loop()
    try:
        infos = await asyncio.wait_for(
            loop.getaddrinfo(host, port, type=socket.SOCK_STREAM), RESOLVE_TIMEOUT
        )
    except (OSError, TimeoutError) as exc:
        raise EgressRefused(
            f"the host '{host}' cannot be resolved ({type(exc).__name__})"
        ) from None
    found: list[Address] = []
    for info in infos:
        address = ipaddress.ip_address(str(info[4][0]).split("%")[0])
        if address not in found:
            found.append(address)
    if not found:
        raise EgressRefused(f"the host '{host}' has no address")
    return found


class EgressTransport(httpx.AsyncBaseTransport):
    """The real network, behind the policy; see the module docstring."""

    def __init__(self, policy: EgressPolicy, inner: httpx.AsyncBaseTransport | None = None):
        self.policy = policy
        self.inner = inner or httpx.AsyncHTTPTransport()

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        url = request.url
        port = url.port or (443 if url.scheme == "https" else 80)
        addresses = await self.policy.addresses(url.host, port)
        if addresses == [url.host]:
            return await self.inner.handle_async_request(request)
        extensions: dict[str, Any] = dict(request.extensions)
        extensions.setdefault("sni_hostname", url.host)
        request.extensions = extensions
        failed: httpx.ConnectError | None = None
        for address in addresses:  # in resolver order; the next one when a connect fails
            request.url = url.copy_with(host=address)
            try:
                return await self.inner.handle_async_request(request)
            except httpx.ConnectError as exc:
                failed = exc
        assert failed is not None
        raise failed

    async def aclose(self) -> None:
        await self.inner.aclose()

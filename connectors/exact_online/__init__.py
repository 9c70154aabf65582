"""Exact Online connector: OAuth2 with rotating refresh tokens, OData v2, quotas, sandbox.

``ExactOnlineConnector`` (kind ``exact_online``) is registered with
``connectors.base.register`` on import of ``client``; ``sandbox`` holds the local server.
"""

from mapwright.connectors.exact_online.client import ExactOnlineConnector

__all__ = ["ExactOnlineConnector"]

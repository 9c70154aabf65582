"""Exact Online sandbox: a local server that behaves like the real API (see ``app.py``).

``create_app(options)`` builds the FastAPI app; ``describe(app, base_url)`` returns the
credentials (client id/secret, a ready refresh token) and the division to use.
"""

from mapwright.connectors.exact_online.sandbox.app import Sandbox, create_app, describe
from mapwright.connectors.exact_online.sandbox.state import Clock

__all__ = ["Clock", "Sandbox", "create_app", "describe"]

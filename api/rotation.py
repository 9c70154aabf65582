"""Key rotation: re-encrypt every stored secret with the newest key.

Put the new key first in ``MAPWRIGHT_SECRET_KEY`` (``new,old``), run
``mapwright api rotate-key``, then remove the old key. Values still in plaintext (from a
store written before encryption) are encrypted on the way.
"""

from __future__ import annotations

from mapwright.api.services import Services


def rotate(services: Services) -> dict[str, int]:
    counts = services.data.secrets.rewrite(services.vault.rotate)
    services.audit_for("-", "system:cli", "keys.rotate", "credentials", counts)
    return counts

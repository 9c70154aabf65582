"""BuchhaltungsButler: the connector (``client.py``) and its local sandbox (``sandbox/``).

Importing the package registers the connector under the kind ``buchhaltungsbutler``.
"""

from mapwright.connectors.buchhaltungsbutler.client import BuchhaltungsButler

__all__ = ["BuchhaltungsButler"]

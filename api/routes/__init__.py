"""The service's routes: thin handlers over the engine's services (``Services`` in
``api/services.py``, ``mapwright.engine.services``), one module per area:

``ops`` (health, metrics), ``tenant`` (me, keys, audit), ``scripts`` (lint, format, test,
preview), ``flows``, ``runs`` (runs and parked records), ``templates``, ``alerts``,
``privacy``, ``reconcile``, ``connections`` (and Exact's OAuth callback), ``webhooks``
(Exact Online callbacks, authenticated by their ``HashCode``, not an API key).
"""

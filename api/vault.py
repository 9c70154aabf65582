"""The vault moved to ``mapwright.engine.vault`` (the command line decrypts what the service
stored); this name stays for the modules and tests written against it."""

from mapwright.engine.vault import MARKER, SECRETS, SecretRegistry, Vault, VaultError

__all__ = ["MARKER", "SECRETS", "SecretRegistry", "Vault", "VaultError"]

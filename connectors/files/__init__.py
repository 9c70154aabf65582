"""mapwright.connectors.files: CSV, JSON and JSON Lines files in a folder (kind ``files``)."""

from mapwright.connectors.files.connector import FilesConnector, MalformedFile

__all__ = ["FilesConnector", "MalformedFile"]

"""The studio bundle's manifest: which sources it was built from, which files it holds.

``python3 studio/manifest.py write`` (run by ``scripts/build-studio`` after the Vite build)
writes ``api/static/studio/manifest.json`` with the SHA-256 of the studio's sources and of
every bundle file. ``python3 studio/manifest.py check`` (and ``tests/studio/test_bundle.py``)
says whether the committed bundle still matches the sources: a change to ``studio/`` without
a rebuild, or a hand edit of the bundle, fails. Only the standard library is used.
"""

from __future__ import annotations

import hashlib
import json
import sys
from pathlib import Path

STUDIO = Path(__file__).resolve().parent
BUNDLE = STUDIO.parent / "api" / "static" / "studio"
MANIFEST = BUNDLE / "manifest.json"
#: the files a build reads (node_modules is pinned by package-lock.json)
SOURCES = (
    "src/**/*",
    "public/**/*",
    "index.html",
    "package.json",
    "package-lock.json",
    "vite.config.ts",
    "tsconfig.json",
)


def _files(root: Path, patterns: tuple[str, ...]) -> list[Path]:
    found = {p for pattern in patterns for p in root.glob(pattern) if p.is_file()}
    return sorted(found, key=lambda p: p.relative_to(root).as_posix())


def sources_hash(root: Path = STUDIO) -> str:
    digest = hashlib.sha256()
    for path in _files(root, SOURCES):
        digest.update(path.relative_to(root).as_posix().encode() + b"\0")
        digest.update(path.read_bytes().replace(b"\r\n", b"\n") + b"\0")
    return digest.hexdigest()


def bundle_files(bundle: Path = BUNDLE) -> dict[str, str]:
    return {
        path.relative_to(bundle).as_posix(): hashlib.sha256(path.read_bytes()).hexdigest()
        for path in _files(bundle, ("**/*",))
        if path != bundle / "manifest.json"
    }


def write() -> None:
    data = {"sources": sources_hash(), "files": bundle_files()}
    MANIFEST.write_text(json.dumps(data, indent=1, sort_keys=True) + "\n", encoding="utf-8")
    print(f"wrote {MANIFEST} ({len(data['files'])} files)")


def problems() -> list[str]:
    """What does not match; empty when the bundle is the build of the current sources."""
    if not MANIFEST.is_file():
        return [f"{MANIFEST} is missing: run scripts/build-studio"]
    data = json.loads(MANIFEST.read_text(encoding="utf-8"))
    found = []
    if data.get("sources") != sources_hash():
        found.append("studio/ changed since the bundle was built: run scripts/build-studio")
    files = bundle_files()
    for name in sorted(set(files) | set(data.get("files", {}))):
        if files.get(name) != data["files"].get(name):
            found.append(f"bundle file {name} differs from the build: run scripts/build-studio")
    return found


if __name__ == "__main__":
    if sys.argv[1:] == ["write"]:
        write()
    elif sys.argv[1:] == ["check"]:
        found = problems()
        print("\n".join(found) or "the bundle matches the sources")
        sys.exit(1 if found else 0)
    else:
        sys.exit("usage: manifest.py write|check")

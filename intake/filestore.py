"""The content-addressed file store: every received file, byte for byte, by SHA-256.

A file lives at `<files_dir>/<sha[:2]>/<sha>`. It is copied to a temporary name in
the same folder, hashed while copied, checked against the expected hash and then
renamed into place, so a reader never sees a half-written file and two writers of
the same content do not conflict. Stored files are made read-only.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from pathlib import Path

CHUNK = 1024**2


class FileChangedError(RuntimeError):
    """A file's content changed between reading it and storing it."""


def stored_path(files_dir: Path, sha256: str) -> Path:
    """Return where the file with hash `sha256` lives in the store."""
    if len(sha256) != 64 or any(c not in "0123456789abcdef" for c in sha256):
        raise ValueError(f"not a SHA-256 hex digest: {sha256!r}")
    return Path(files_dir) / sha256[:2] / sha256


def put_file(files_dir: Path, source: Path, sha256: str) -> Path:
    """Copy `source` into the store under `sha256`, unless it is there already.

    Raises:
        FileChangedError: the bytes read do not hash to `sha256`.
    """
    target = stored_path(files_dir, sha256)
    if target.exists():
        return target
    target.parent.mkdir(parents=True, exist_ok=True)
    digest = hashlib.sha256()
    handle, temporary = tempfile.mkstemp(prefix=".incoming-", dir=target.parent)
    try:
        with os.fdopen(handle, "wb") as sink, Path(source).open("rb") as reader:
            while chunk := reader.read(CHUNK):
                digest.update(chunk)
                sink.write(chunk)
            sink.flush()
            os.fsync(sink.fileno())
        if digest.hexdigest() != sha256:
            raise FileChangedError(
                f"{source} changed while it was being stored: expected SHA-256 "
                f"{sha256}, read {digest.hexdigest()}; submit the package again"
            )
        os.chmod(temporary, 0o444)
        os.replace(temporary, target)
    finally:
        if os.path.exists(temporary):
            os.unlink(temporary)
    return target


def put_bytes(files_dir: Path, data: bytes) -> tuple[str, Path]:
    """Store `data`; return its SHA-256 and path."""
    sha256 = hashlib.sha256(data).hexdigest()
    target = stored_path(files_dir, sha256)
    if target.exists():
        return sha256, target
    target.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(prefix=".incoming-", dir=target.parent)
    try:
        with os.fdopen(handle, "wb") as sink:
            sink.write(data)
            sink.flush()
            os.fsync(sink.fileno())
        os.chmod(temporary, 0o444)
        os.replace(temporary, target)
    finally:
        if os.path.exists(temporary):
            os.unlink(temporary)
    return sha256, target

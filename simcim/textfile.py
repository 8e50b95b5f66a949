"""Open a text file that may be gzip-compressed (``simcim run --trace t.json.gz``): readers call
:func:`open_text` and never need to know which."""

from __future__ import annotations

import errno
import gzip
import zlib
from pathlib import Path
from typing import IO

GZIP_MAGIC = b"\x1f\x8b"


def open_text(path: str | Path) -> IO[str]:
    """``path`` opened for reading as UTF-8 text, decompressed on the fly when it is gzip data
    (recognised by its first two bytes, whatever the name)."""
    p = Path(path)
    with p.open("rb") as fh:
        magic = fh.read(2)
    if magic == GZIP_MAGIC:
        _check_gzip(p)
        return gzip.open(p, "rt", encoding="utf-8")
    return p.open("r", encoding="utf-8")


def _check_gzip(path: Path) -> None:
    """Decompress once, discarding the output (memory: one chunk), so that corrupt or truncated data
    is an OSError at open, as an unreadable file is, not an error half-way through a reader."""
    try:
        with gzip.open(path, "rb") as fh:
            while fh.read(1 << 20):
                pass
    except (OSError, EOFError, zlib.error) as exc:
        raise OSError(errno.EIO, f"corrupt or truncated gzip data: {exc}") from None

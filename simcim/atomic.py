"""Write output files so that a failure never leaves half a file, and check them before the work.

A regular file is written to a temp file in the same folder and renamed over the old one, so a crash
or a full disk leaves the old file whole. Some outputs are not files to replace:

- ``-`` is standard output;
- a symlink is written through: its target gets the new content (renamed beside the target), the
  link stays a link;
- a FIFO, a character device (``/dev/stdout``, ``/dev/null``) or a socket is opened and written in
  place (renaming over it would replace the pipe with a file nobody reads).

:func:`check_output_file` and :func:`check_output_folder` find what would make a write fail (no
such folder, not writable, an existing folder where a file goes, a name over the file system's 255
bytes) before a command simulates or trains for minutes; errors are one-line :class:`UserError`.
"""

from __future__ import annotations

import os
import stat
import sys
import tempfile
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Iterator

from simcim.errors import UserError

STDOUT = "-"
NAME_MAX = 255  # bytes in one path component on Linux, macOS and Windows file systems


def _special(path: Path) -> bool:
    """An existing FIFO, device or socket: written in place, never replaced."""
    try:
        mode = path.stat().st_mode
    except OSError:
        return False
    return stat.S_ISFIFO(mode) or stat.S_ISCHR(mode) or stat.S_ISBLK(mode) or stat.S_ISSOCK(mode)


def _target(path: Path) -> Path:
    """Where the bytes go: a symlink's final target (which may not exist yet), else the path."""
    return Path(os.path.realpath(path)) if path.is_symlink() else path


def _nearest_existing(folder: Path) -> Path:
    while not folder.exists() and folder != folder.parent:
        folder = folder.parent
    return folder


def _check_folder_writable(folder: Path, what: str) -> None:
    existing = _nearest_existing(folder)
    if not existing.is_dir():
        raise UserError(f"{what}: {existing} is not a folder")
    if not os.access(existing, os.W_OK | os.X_OK):
        raise UserError(f"{what}: cannot write in {existing} (permission denied)")


def _check_names(path: Path, what: str) -> None:
    for part in path.parts:
        if len(os.fsencode(part)) > NAME_MAX:
            raise UserError(f"{what}: a name in the path is {len(os.fsencode(part))} bytes long; "
                            f"file systems allow {NAME_MAX}")


def check_output_file(path: str | Path | None, option: str) -> None:
    """Raise a one-line UserError now if ``path`` (given as ``option``) could not be written later."""
    if path is None:
        return
    text = str(path)
    what = f"{option} {text}" if text else option
    if not text.strip():
        raise UserError(f"{option}: an empty path (give a file name, or '-' for standard output)")
    if text == STDOUT:
        return
    p = Path(text)
    _check_names(p, what)
    if _special(p):
        if not os.access(p, os.W_OK):
            raise UserError(f"{what}: not writable (permission denied)")
        return
    target = _target(p)
    if target.is_dir():
        raise UserError(f"{what}: is a folder; give a file name")
    if target.exists() and not os.access(target, os.W_OK):
        raise UserError(f"{what}: the file exists and is not writable (permission denied)")
    _check_folder_writable(target.parent, what)


def check_output_folder(path: str | Path, option: str) -> None:
    """Like :func:`check_output_file` for an output folder (created when missing)."""
    text = str(path)
    if not text.strip():
        raise UserError(f"{option}: an empty path (give a folder name)")
    p = Path(text)
    what = f"{option} {text}"
    _check_names(p, what)
    if p.exists() and not p.is_dir():
        raise UserError(f"{what}: exists and is not a folder")
    _check_folder_writable(p, what)


@contextmanager
def atomic_open(path: str | Path, mode: str = "w") -> Iterator[IO]:
    """Open ``path`` for writing so that it is replaced only when the block ends without error.

    ``-`` is standard output; symlinks are written through; FIFOs and devices are written in place.
    On any error a temp file is removed and the old file (if any) is untouched. OSErrors become
    one-line UserErrors.
    """
    text_kw = {} if "b" in mode else {"encoding": "utf-8"}
    if str(path) == STDOUT:
        sys.stdout.flush()
        yield sys.stdout.buffer if "b" in mode else sys.stdout
        sys.stdout.flush()
        return
    p = Path(path)
    try:
        if _special(p):  # stat follows links: /dev/stdout -> /proc/self/fd/1 -> a pipe
            with open(p, mode, **text_kw) as fh:  # type: ignore[call-overload]
                yield fh
            return
        p = _target(p)
        p.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{p.name[:200]}.", suffix=".tmp", dir=p.parent)
    except OSError as exc:
        raise UserError(f"{path}: cannot write ({exc.strerror or exc})") from None
    try:
        with os.fdopen(fd, mode, **text_kw) as fh:  # type: ignore[call-overload]
            yield fh
        # mkstemp makes 0600 files; give the result the mode a plain open() would have.
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o666 & ~umask)
        os.replace(tmp, p)
    except BaseException as exc:
        if os.path.exists(tmp):
            os.unlink(tmp)
        if isinstance(exc, OSError) and not isinstance(exc, BrokenPipeError):
            raise UserError(f"{path}: cannot write ({exc.strerror or exc})") from None
        raise


def write_bytes_atomic(path: str | Path, data: bytes) -> None:
    """Replace ``path`` with ``data`` in one rename; the old file stays intact until then."""
    with atomic_open(path, "wb") as fh:
        fh.write(data)


def write_text_atomic(path: str | Path, text: str) -> None:
    """Text version of :func:`write_bytes_atomic` (UTF-8)."""
    with atomic_open(path, "w") as fh:
        fh.write(text)

"""Writing the site: everything into a temporary folder beside the target, then moved into place."""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

#: A file at the root of every generated site, so that only a site is ever replaced.
MARKER = ".ftzkg-site"


class SiteError(Exception):
    """The site cannot be written where asked."""


def write_tree(files: dict[str, bytes], out_dir: Path) -> None:
    """Write ``files`` (relative path -> bytes) as the folder ``out_dir``, replacing an earlier site.

    Nothing is half-written: the files go to a temporary folder next to ``out_dir``,
    which then takes its place. A folder that exists, is not empty and was not made
    by ``ftzkg site`` is left alone (:class:`SiteError`).
    """
    out_dir = Path(out_dir)
    if out_dir.exists():
        if not out_dir.is_dir():
            raise SiteError(f"{out_dir}: exists and is not a folder")
        if any(out_dir.iterdir()) and not (out_dir / MARKER).is_file():
            raise SiteError(f"{out_dir}: not empty and not a site made by ftzkg site; refusing to replace it")
    parent = out_dir.resolve().parent
    try:
        parent.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(prefix=f".{out_dir.name}.new-", dir=parent))
    except OSError as exc:
        raise SiteError(f"{out_dir}: cannot write: {exc.strerror or exc}") from None
    old: Path | None = None
    try:
        for rel, content in sorted({**files, MARKER: b"made by ftzkg site\n"}.items()):
            target = staging / rel
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(content)
        os.chmod(staging, 0o755)
        if out_dir.exists():
            old = Path(tempfile.mkdtemp(prefix=f".{out_dir.name}.old-", dir=parent))
            old.rmdir()
            out_dir.rename(old)
        staging.rename(out_dir)
    except OSError as exc:
        shutil.rmtree(staging, ignore_errors=True)
        if old is not None and old.exists() and not out_dir.exists():
            old.rename(out_dir)
        raise SiteError(f"{out_dir}: cannot write: {exc.strerror or exc}") from None
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)

"""``python -m ftzkg.refdata [--out DIR]``: regenerate the reference data (``make reference``)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from .. import project
from . import ReferencePackagesError, generate


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m ftzkg.refdata", description=__doc__)
    parser.add_argument(
        "--out", type=Path, default=project.DATA_DIR / "reference", help="folder to write (data/reference)"
    )
    args = parser.parse_args(argv)
    try:
        paths = generate(args.out)
    except (ReferencePackagesError, ValueError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    for path in paths:
        print(f"wrote {path} ({path.stat().st_size} bytes)")
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Builds the wheel and the VSIX from one release binary, prepared once (payload.py).

    python3 scripts/packaging/build.py --binary BIN --version 0.1.0 --out dist
"""
from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import payload  # noqa: E402
import vsix  # noqa: E402
import wheel  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--binary", type=Path, required=True, help="lazywheel built with --static-swift-stdlib")
    parser.add_argument("--version", required=True)
    parser.add_argument("--out", type=Path, required=True)
    arguments = parser.parse_args()
    with tempfile.TemporaryDirectory() as scratch:
        files = payload.prepare(arguments.binary, Path(scratch))
        print(wheel.build(files, arguments.version, arguments.out))
        print(vsix.build(files, arguments.version, arguments.out))


if __name__ == "__main__":
    main()

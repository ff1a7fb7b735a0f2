"""`python -m lazywheel ARGS…` runs the installed `lazywheel ARGS…`."""
import os
import subprocess
import sys

from .executable import ExecutableNotFound, find_executable


def main() -> None:
    try:
        binary = find_executable()
    except ExecutableNotFound as error:
        print(f"lazywheel: {error}", file=sys.stderr)
        sys.exit(127)
    if os.name == "nt":
        sys.exit(subprocess.call([binary, *sys.argv[1:]]))
    os.execv(binary, [binary, *sys.argv[1:]])


if __name__ == "__main__":
    main()

"""Python's tomllib as the oracle of the TOML parser's differential tests (Tests/TOMLTests).

    toml_oracle.py parse   < JSON list of base64 documents   → JSON list of canonical answers
    toml_oracle.py cases   CACHE_DIR                         → prints the toml-test folder

An answer is "error" or the document's value written canonically, as TOMLDifferentialTests
writes the Swift parser's: tables as {hex(key)=value,...} with keys sorted, arrays as [a,b],
strings and keys as hex of their UTF-8, integers in decimal, floats as the hex of their IEEE
bits (every NaN as "nan"), booleans, dates and times as their parts.

TOML 1.0 says an integer that does not fit in 64 bits must be an error; tomllib accepts it, so
the oracle answers "error" for such a document, as the specification does.

`cases` downloads the sdist of tomlkit (pinned below), which ships the toml-test suite's valid
and invalid cases, with pip into CACHE_DIR (outside git) once, and prints the folder holding
`valid/` and `invalid/`.
"""
from __future__ import annotations

import base64
import datetime
import json
import math
import struct
import subprocess
import sys
import tarfile
import tomllib
from pathlib import Path

TOMLKIT = "tomlkit==0.15.3"


class OutOfRange(Exception):
    pass


def canonical(value) -> str:
    if isinstance(value, dict):
        items = sorted((key.encode().hex(), canonical(item)) for key, item in value.items())
        return "{" + ",".join(f"{key}={item}" for key, item in items) + "}"
    if isinstance(value, list):
        return "[" + ",".join(canonical(item) for item in value) + "]"
    if isinstance(value, str):
        return "s:" + value.encode().hex()
    if isinstance(value, bool):
        return "b:" + ("true" if value else "false")
    if isinstance(value, int):
        if not -(1 << 63) <= value < (1 << 63):
            raise OutOfRange
        return f"i:{value}"
    if isinstance(value, float):
        return "f:nan" if math.isnan(value) else "f:" + struct.pack(">d", value).hex()
    if isinstance(value, datetime.datetime):
        offset = value.utcoffset()
        zone = "local" if offset is None else str(int(offset.total_seconds()) // 60)
        return f"d:{date_text(value)}T{time_text(value)}@{zone}"
    if isinstance(value, datetime.date):
        return f"d:{date_text(value)}T@local"
    if isinstance(value, datetime.time):
        return f"d:T{time_text(value)}@local"
    raise TypeError(type(value))


def date_text(value) -> str:
    return f"{value.year}-{value.month}-{value.day}"


def time_text(value) -> str:
    return f"{value.hour}:{value.minute}:{value.second}.{value.microsecond}"


def answer(document: bytes) -> str:
    try:
        return canonical(tomllib.loads(document.decode("utf-8")))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError, OutOfRange):
        return "error"


def cases(cache: Path) -> Path:
    folder = cache / TOMLKIT.replace("==", "-")
    suite = folder / "toml-test" / "tests"
    if not (suite / "valid").is_dir():
        folder.mkdir(parents=True, exist_ok=True)
        subprocess.run([sys.executable, "-m", "pip", "download", "-q", "--no-deps", "--no-binary", ":all:",
                        TOMLKIT, "-d", str(folder)], check=True, stdout=sys.stderr)
        sdist = next(folder.glob("tomlkit-*.tar.gz"))
        with tarfile.open(sdist) as archive:
            for member in archive.getmembers():
                _, _, rest = member.name.partition("/tests/toml-test/tests/")
                if rest and member.isfile():
                    target = suite / rest
                    target.parent.mkdir(parents=True, exist_ok=True)
                    target.write_bytes(archive.extractfile(member).read())
    return suite


def main() -> None:
    if sys.argv[1:2] == ["parse"]:
        documents = [base64.b64decode(text) for text in json.load(sys.stdin)]
        json.dump([answer(document) for document in documents], sys.stdout)
    elif sys.argv[1:2] == ["cases"] and len(sys.argv) == 3:
        print(cases(Path(sys.argv[2])))
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main()

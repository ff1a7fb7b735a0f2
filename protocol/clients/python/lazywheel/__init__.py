"""lazywheel's Python package: the reference client of `lazywheel serve` (protocol/PROTOCOL.md)
and `python -m lazywheel`, which runs the `lazywheel` binary installed with it.

    from lazywheel import Client

    with Client.start() as client:
        client.initialize()
        handle = client.request("openWheel", {"url": url})["handle"]
        print(client.request("getMetadata", {"handle": handle})["requiresDist"])
"""
from .client import Client, ResponseError, encode_frame, read_frame
from .executable import ExecutableNotFound, find_executable

# Sources/LazyWheelCore/Version.swift is the source; Tests/EndToEnd/test_package.py checks this copy.
__version__ = "0.1.0"

__all__ = ["Client", "ExecutableNotFound", "ResponseError", "encode_frame", "find_executable", "read_frame"]

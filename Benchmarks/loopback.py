"""What the benchmarks and the end-to-end tests (Tests/EndToEnd) share about the servers and
processes they run on loopback."""
from __future__ import annotations

import http.server
import sys
from pathlib import Path


class BurstHTTPServer(http.server.ThreadingHTTPServer):
    """A threading HTTP server with a listen backlog that holds a burst of connections.

    `request_queue_size` must be set on the class: `listen()` runs in the constructor. With the
    default backlog of 5, a client opening a dozen connections at once loses SYNs, which the
    kernel retransmits after a second (`TcpExtListenOverflows` in `nstat`): a parallel fetch then
    takes a second longer by chance, which makes a benchmark noisy and a test slow and flaky.
    """
    request_queue_size = 128
    daemon_threads = True

    def handle_error(self, request, client_address):
        """A client that closes its connection early (it has what it needs) is not an error."""
        if isinstance(sys.exc_info()[1], ConnectionError):
            return
        super().handle_error(request, client_address)


def memory_status(pid: int) -> dict[str, int]:
    """`VmHWM` (peak resident set) and `VmRSS` of process `pid`, in bytes."""
    values = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        key, _, rest = line.partition(":")
        if key in ("VmHWM", "VmRSS"):
            values[key] = int(rest.split()[0]) * 1024
    return values

"""A TCP proxy on loopback that adds a network's latency, for benchmarks.

A per-request delay at the server (Benchmarks/index_server.py) models neither connection set-up nor
the TLS handshake. This proxy sits in front of a real server and delays bytes the way a link with a
round-trip time RTT does:

- connect: a new connection carries nothing for one RTT after it is accepted (the SYN going out and
  the SYN-ACK coming back); bytes the client sends meanwhile wait and then travel like any other;
- every read, each way: the bytes read are written to the other side RTT/2 after they were read,
  without holding back the reads behind them (latency, not a stop-and-wait link);
- optionally a bandwidth cap per direction, shared by all connections (one access link): a chunk
  leaves only when the link has sent the chunks before it, at `bandwidth` bytes per second.

It counts accepted connections and the bytes carried each way since the last `reset()`.
Standard library only: asyncio on a thread of its own.

    proxy = LatencyProxy(("127.0.0.1", nginx_port), rtt=0.040).start()
    ...; proxy.reset(); run a client against proxy.port; print(proxy.summary())
"""
from __future__ import annotations

import asyncio
import socket
import threading
import time
from dataclasses import dataclass
from typing import Optional

CHUNK = 64 * 1024


@dataclass
class ProxySummary:
    connections: int
    bytes_up: int    # client to server, as carried (TLS records, headers and all)
    bytes_down: int  # server to client


class Link:
    """One direction of the access link: a FIFO that sends `bandwidth` bytes per second (or any
    amount at once when `bandwidth` is 0), shared by every connection that goes that way."""

    def __init__(self, bandwidth: float):
        self.bandwidth = bandwidth
        self.free_at = 0.0

    def departure(self, ready: float, size: int) -> float:
        """When a chunk of `size` bytes that is ready at `ready` has left the link."""
        if not self.bandwidth:
            return ready
        start = max(ready, self.free_at)
        self.free_at = start + size / self.bandwidth
        return self.free_at


class LatencyProxy:
    def __init__(self, upstream: tuple[str, int], rtt: float, bandwidth: float = 0.0):
        self.upstream = upstream
        self.rtt = rtt
        self.uplink = Link(bandwidth)
        self.downlink = Link(bandwidth)
        self.loop: Optional[asyncio.AbstractEventLoop] = None
        self.server: Optional[asyncio.base_events.Server] = None
        self.port = 0
        self.lock = threading.Lock()
        self.connections = 0
        self.bytes_up = 0
        self.bytes_down = 0

    # Running

    def start(self) -> "LatencyProxy":
        ready = threading.Event()

        def run():
            self.loop = asyncio.new_event_loop()
            self.server = self.loop.run_until_complete(
                asyncio.start_server(self.accepted, "127.0.0.1", 0, backlog=256))
            self.port = self.server.sockets[0].getsockname()[1]
            ready.set()
            self.loop.run_forever()

        threading.Thread(target=run, daemon=True, name="latency-proxy").start()
        ready.wait(10)
        return self

    def stop(self) -> None:
        if not self.loop:
            return

        async def close():
            self.server.close()
            for task in asyncio.all_tasks():
                if task is not asyncio.current_task():
                    task.cancel()

        asyncio.run_coroutine_threadsafe(close(), self.loop).result(10)
        self.loop.call_soon_threadsafe(self.loop.stop)

    @property
    def address(self) -> str:
        return f"127.0.0.1:{self.port}"

    # Counting

    def reset(self) -> None:
        with self.lock:
            self.connections = self.bytes_up = self.bytes_down = 0

    def summary(self) -> ProxySummary:
        with self.lock:
            return ProxySummary(self.connections, self.bytes_up, self.bytes_down)

    def count(self, up: int = 0, down: int = 0, connection: int = 0) -> None:
        with self.lock:
            self.connections += connection
            self.bytes_up += up
            self.bytes_down += down

    # Relaying

    async def accepted(self, client_reader: asyncio.StreamReader, client_writer: asyncio.StreamWriter):
        self.count(connection=1)
        opened = time.monotonic()
        for stream in (client_writer,):
            stream.get_extra_info("socket").setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        try:
            server_reader, server_writer = await asyncio.open_connection(*self.upstream)
        except OSError:
            client_writer.close()
            return
        server_writer.get_extra_info("socket").setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        # The handshake: nothing crosses until one round trip after the client's connect.
        established = opened + self.rtt
        up = asyncio.ensure_future(self.pipe(client_reader, server_writer, self.uplink, established, upward=True))
        down = asyncio.ensure_future(self.pipe(server_reader, client_writer, self.downlink, established, upward=False))
        try:
            await asyncio.gather(up, down)
        except (asyncio.CancelledError, ConnectionError, OSError):
            up.cancel()
            down.cancel()
        finally:
            for writer in (client_writer, server_writer):
                writer.close()

    async def pipe(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter, link: Link,
                   established: float, upward: bool) -> None:
        """Reads chunks as they come and writes each one RTT/2 (plus the link's queue) after it was
        read; the writing runs apart from the reading so that latency does not throttle throughput."""
        queue: asyncio.Queue = asyncio.Queue()

        async def deliver():
            while True:
                due, chunk = await queue.get()
                if chunk is None:
                    break
                wait = due - time.monotonic()
                if wait > 0:
                    await asyncio.sleep(wait)
                writer.write(chunk)
                await writer.drain()
                self.count(up=len(chunk)) if upward else self.count(down=len(chunk))
            if writer.can_write_eof():
                writer.write_eof()

        delivering = asyncio.ensure_future(deliver())
        try:
            while True:
                chunk = await reader.read(CHUNK)
                read_at = max(time.monotonic(), established)
                if not chunk:
                    await queue.put((read_at + self.rtt / 2, None))
                    break
                await queue.put((link.departure(read_at, len(chunk)) + self.rtt / 2, chunk))
            await delivering
        except (ConnectionError, OSError):
            delivering.cancel()
        finally:
            if not delivering.done():
                delivering.cancel()


if __name__ == "__main__":  # python3 Benchmarks/latency_proxy.py UPSTREAM_PORT [RTT-ms]
    import sys
    proxy = LatencyProxy(("127.0.0.1", int(sys.argv[1])), float(sys.argv[2] if len(sys.argv) > 2 else 40) / 1000)
    proxy.start()
    print(proxy.address, flush=True)
    try:
        while True:
            time.sleep(1)
    except KeyboardInterrupt:
        print(proxy.summary())

"""A reference client for `lazywheel serve`, standard library only.

It speaks the protocol in protocol/PROTOCOL.md: JSON-RPC 2.0 with LSP `Content-Length` framing over the
server's stdin/stdout. Requests may be sent from any thread and many may be in flight at once; a
reader thread matches responses to requests by id and collects notifications (`$/progress`,
`window/logMessage`, `textDocument/publishDiagnostics`).

    with Client.start() as client:  # runs `lazywheel serve`, the installed binary by default
        client.initialize()
        handle = client.request("openWheel", {"url": url})["handle"]
        print(client.request("getMetadata", {"handle": handle})["requiresDist"])
"""
from __future__ import annotations

import itertools
import json
import queue
import subprocess
import threading
from concurrent.futures import Future
from typing import Any, Callable, Optional

from .executable import find_executable


class ResponseError(Exception):
    """The server answered a request with a JSON-RPC error object."""

    def __init__(self, code: int, message: str, data: Any = None):
        super().__init__(f"{code}: {message}")
        self.code = code
        self.message = message
        self.data = data


def encode_frame(message: dict) -> bytes:
    body = json.dumps(message, separators=(",", ":")).encode("utf-8")
    return b"Content-Length: %d\r\n\r\n" % len(body) + body


def read_frame(stream) -> Optional[bytes]:
    """Reads one framed body from a binary stream; None at end of stream."""
    length = None
    while True:
        line = stream.readline()
        if not line:
            return None
        line = line.rstrip(b"\r\n")
        if not line:
            break
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"content-length":
            length = int(value.strip())
    if length is None:
        raise ValueError("frame without Content-Length")
    body = b""
    while len(body) < length:
        chunk = stream.read(length - len(body))
        if not chunk:
            return None
        body += chunk
    return body


class Client:
    """A connection to one `lazywheel serve` process."""

    def __init__(self, process: subprocess.Popen):
        self.process = process
        self._ids = itertools.count(1)
        self._pending: dict[Any, Future] = {}
        self._lock = threading.Lock()
        self._write_lock = threading.Lock()
        self.notifications: "queue.Queue[dict]" = queue.Queue()
        self.server_requests: "queue.Queue[dict]" = queue.Queue()
        self.raw_messages: list[dict] = []
        self.on_message: Optional[Callable[[dict], None]] = None
        # Results for requests the server sends, by method (a callable gets the params); others get null.
        self.answers: dict[str, Any] = {}
        self._reader = threading.Thread(target=self._read_loop, daemon=True)
        self._reader.start()

    @classmethod
    def start(cls, command: Optional[list[str]] = None, env: Optional[dict] = None, stderr=None) -> "Client":
        """Starts `command` (default: `lazywheel serve`, the binary `find_executable` finds)."""
        if command is None:
            command = [find_executable(), "serve"]
        process = subprocess.Popen(command, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                   stderr=stderr if stderr is not None else subprocess.DEVNULL, env=env)
        return cls(process)

    def __enter__(self) -> "Client":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    # Sending

    def send_raw(self, data: bytes) -> None:
        """Writes bytes as they are: for tests that send malformed frames."""
        with self._write_lock:
            self.process.stdin.write(data)
            self.process.stdin.flush()

    def send(self, message: dict) -> None:
        self.send_raw(encode_frame(message))

    def request_async(self, method: str, params: Any = None, request_id: Any = None) -> Future:
        if request_id is None:
            request_id = next(self._ids)
        future: Future = Future()
        future.request_id = request_id  # type: ignore[attr-defined]
        with self._lock:
            self._pending[request_id] = future
        message = {"jsonrpc": "2.0", "id": request_id, "method": method}
        if params is not None:
            message["params"] = params
        self.send(message)
        return future

    def request(self, method: str, params: Any = None, timeout: float = 60) -> Any:
        return self.request_async(method, params).result(timeout)

    def notify(self, method: str, params: Any = None) -> None:
        message = {"jsonrpc": "2.0", "method": method}
        if params is not None:
            message["params"] = params
        self.send(message)

    def cancel(self, future: Future) -> None:
        self.notify("$/cancelRequest", {"id": future.request_id})  # type: ignore[attr-defined]

    # Lifecycle

    def initialize(self, options: Optional[dict] = None, timeout: float = 30) -> dict:
        params = {"processId": None, "clientInfo": {"name": "lazywheel-python-client"}, "capabilities": {}}
        if options is not None:
            params["initializationOptions"] = options
        result = self.request("initialize", params, timeout)
        self.notify("initialized", {})
        return result

    def shutdown_and_exit(self, timeout: float = 10) -> int:
        self.request("shutdown", None, timeout)
        self.notify("exit")
        return self.process.wait(timeout)

    def close(self) -> None:
        if self.process.poll() is None:
            try:
                self.process.stdin.close()
            except OSError:
                pass
            try:
                self.process.wait(5)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(5)

    # Receiving

    def _read_loop(self) -> None:
        stream = self.process.stdout
        while True:
            try:
                body = read_frame(stream)
            except ValueError as error:
                self._fail_all(error)
                return
            if body is None:
                self._fail_all(EOFError("server closed its output"))
                return
            message = json.loads(body)
            self.raw_messages.append(message)
            if self.on_message:
                self.on_message(message)
            if "method" in message and "id" in message:
                self.server_requests.put(message)
                # Accept what the server asks (window/workDoneProgress/create), or answer from `answers`.
                answer = self.answers.get(message["method"])
                result = answer(message.get("params")) if callable(answer) else answer
                self.send({"jsonrpc": "2.0", "id": message["id"], "result": result})
            elif "method" in message:
                self.notifications.put(message)
            else:
                with self._lock:
                    future = self._pending.pop(message.get("id"), None)
                if future is None:
                    self.notifications.put({"unmatched": message})
                    continue
                if "error" in message:
                    err = message["error"]
                    future.set_exception(ResponseError(err.get("code"), err.get("message"), err.get("data")))
                else:
                    future.set_result(message.get("result"))

    def _fail_all(self, error: Exception) -> None:
        with self._lock:
            pending, self._pending = self._pending, {}
        for future in pending.values():
            if not future.done():
                future.set_exception(error)

    def notifications_of(self, method: str) -> list[dict]:
        """Drains queued notifications and returns those of `method` (others are kept)."""
        kept, found = [], []
        while True:
            try:
                message = self.notifications.get_nowait()
            except queue.Empty:
                break
            (found if message.get("method") == method else kept).append(message)
        for message in kept:
            self.notifications.put(message)
        return found

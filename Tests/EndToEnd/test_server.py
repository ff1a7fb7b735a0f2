"""`lazywheel serve` driven by the reference Python client, exactly as an editor plugin would:
every method, the lifecycle, many requests in flight, cancellation, and bad input of every kind
followed by a good request. Every message the server sends is validated against the schema."""
from __future__ import annotations

import base64
import json
import time
import zlib
from concurrent.futures import wait

import pytest

from conftest import CORPUS, ResponseError

MANIFEST = {e["file"]: e for e in json.loads((CORPUS / "MANIFEST.json").read_text())}
IDNA = "idna-3.10-py3-none-any.whl"
NUMPY = "numpy-2.1.3-cp312-cp312-manylinux_2_17_x86_64.manylinux2014_x86_64.whl"


def error_of(future_or_call) -> ResponseError:
    with pytest.raises(ResponseError) as info:
        future_or_call()
    return info.value


def test_initialize_lists_every_method(serve):
    client = serve(initialize=False)
    result = client.initialize()
    assert result["serverInfo"]["name"] == "lazywheel"
    methods = set(result["capabilities"]["experimental"]["lazywheel"]["methods"])
    assert {"initialize", "shutdown", "openWheel", "listEntries", "readRange", "readEntry", "getMetadata",
            "closeWheel", "stats"} <= methods
    assert client.shutdown_and_exit() == 0


def test_every_method_against_nginx(serve, nginx):
    client = serve()
    url = f"{nginx.url}/wheels/{NUMPY}"
    expected = MANIFEST[NUMPY]
    opened = client.request("openWheel", {"url": url})
    assert opened["size"] == expected["size"]
    assert opened["entryCount"] == expected["entries"]
    handle = opened["handle"]

    entries = client.request("listEntries", {"handle": handle})["entries"]
    assert len(entries) == expected["entries"]
    meta_entry = next(e for e in entries if e["name"] == expected["metadataPath"])
    assert meta_entry["offset"] == expected["metadataLocalHeaderOffset"]
    assert meta_entry["crc32"] == expected["metadataCRC32"]

    chunk = client.request("readRange", {"handle": handle, "offset": 0, "length": 4})
    assert base64.b64decode(chunk["data"]) == b"PK\x03\x04"

    member = client.request("readEntry", {"handle": handle, "name": expected["metadataPath"]})
    data = base64.b64decode(member["data"])
    assert member["size"] == len(data) == expected["metadataSize"]
    assert zlib.crc32(data) == expected["metadataCRC32"]
    text = client.request("readEntry", {"handle": handle, "name": expected["metadataPath"], "encoding": "utf-8"})
    assert text["data"].encode() == data

    metadata = client.request("getMetadata", {"handle": handle})
    assert metadata["name"] == "numpy" and metadata["version"] == "2.1.3"
    assert metadata["requiresPython"] == expected["requiresPython"]
    by_url = client.request("getMetadata", {"url": f"{nginx.url}/wheels/{IDNA}"})
    assert by_url["name"] == "idna"

    stats = client.request("stats")
    assert stats["headRequests"] == 0
    assert stats["openHandles"] == 1
    assert stats["requests"] >= 3

    assert client.request("closeWheel", {"handle": handle}) == {"closed": True}
    err = error_of(lambda: client.request("listEntries", {"handle": handle}))
    assert err.code == -32010 and handle in err.message
    assert client.shutdown_and_exit() == 0


def test_lifecycle_rules(serve):
    client = serve(initialize=False)
    assert error_of(lambda: client.request("stats")).code == -32002
    client.initialize()
    assert error_of(lambda: client.request("initialize", {"capabilities": {}})).code == -32600
    assert client.request("shutdown") is None
    assert error_of(lambda: client.request("stats")).code == -32600
    client.notify("exit")
    assert client.process.wait(10) == 0


def test_exit_without_shutdown_is_1_and_closed_input_ends_the_server(serve):
    client = serve()
    client.notify("exit")
    assert client.process.wait(10) == 1
    other = serve()
    other.process.stdin.close()
    assert other.process.wait(10) == 1


def test_second_open_of_the_same_url_reuses_cached_bytes(serve, counted):
    client = serve()
    url = f"{counted.url}/wheels/{IDNA}"
    first = client.request("openWheel", {"url": url})
    client.request("getMetadata", {"handle": first["handle"]})
    before = len(counted.requests())
    second = client.request("openWheel", {"url": url})
    assert second["handle"] != first["handle"]
    client.request("getMetadata", {"handle": second["handle"]})
    client.request("getMetadata", {"url": url})
    assert len(counted.requests()) == before == 1


def test_two_hundred_requests_in_flight_get_exactly_one_reply_each(serve, nginx, faulty_server):
    client = serve()
    handles = {}
    for name in list(MANIFEST)[:8]:
        handles[name] = client.request("openWheel", {"url": f"{nginx.url}/wheels/{name}"})["handle"]
    faulty_server.stall_seconds = 1.0
    slow = client.request_async("getMetadata", {"url": f"{faulty_server.url}/{IDNA}"})
    futures = [slow]
    kinds = []
    for i in range(199):
        name = list(handles)[i % len(handles)]
        handle = handles[name]
        kind = i % 4
        kinds.append((kind, name))
        if kind == 0:
            futures.append(client.request_async("getMetadata", {"handle": handle}))
        elif kind == 1:
            futures.append(client.request_async("listEntries", {"handle": handle}))
        elif kind == 2:
            futures.append(client.request_async("readRange", {"handle": handle, "offset": 0, "length": 2}))
        else:
            futures.append(client.request_async("stats"))
    done, not_done = wait(futures, timeout=60)
    assert not not_done
    for future, (kind, name) in zip(futures[1:], kinds):
        result = future.result()
        if kind == 0:
            assert result["version"] == MANIFEST[name]["version"]
        elif kind == 1:
            assert len(result["entries"]) == MANIFEST[name]["entries"]
        elif kind == 2:
            assert base64.b64decode(result["data"]) == b"PK"
    assert slow.result()["name"] == "idna"
    responses = [m for m in client.raw_messages if "id" in m and "method" not in m]
    ids = [m["id"] for m in responses]
    assert len(ids) == len(set(ids)), "a request was answered twice"
    request_ids = [f.request_id for f in futures]
    assert set(request_ids) <= set(ids)
    # The stalled request was overtaken: replies interleave instead of following request order.
    assert ids.index(slow.request_id) > ids.index(futures[-1].request_id)


def test_cancel_aborts_the_http_work_of_a_slow_fetch(serve, faulty_server):
    client = serve()
    faulty_server.stall_seconds = 20
    started = time.time()
    future = client.request_async("openWheel", {"url": f"{faulty_server.url}/{IDNA}", "workDoneToken": "open-1"})
    time.sleep(0.5)
    client.cancel(future)
    err = error_of(lambda: future.result(10))
    assert err.code == -32800
    assert time.time() - started < 10
    assert faulty_server.closed_early.wait(5), "the HTTP request behind the cancelled request kept running"
    faulty_server.stall_seconds = 0
    assert client.request("getMetadata", {"url": f"{faulty_server.url}/{IDNA}"})["name"] == "idna"
    progress = [m for m in client.raw_messages if m.get("method") == "$/progress"]
    assert progress and progress[0]["params"]["token"] == "open-1"
    assert progress[0]["params"]["value"]["kind"] == "begin"


def test_progress_begin_and_end_when_a_token_is_given(serve, nginx):
    client = serve()
    client.request("getMetadata", {"url": f"{nginx.url}/wheels/{IDNA}", "workDoneToken": 7})
    kinds = [m["params"]["value"]["kind"] for m in client.raw_messages
             if m.get("method") == "$/progress" and m["params"]["token"] == 7]
    assert kinds[0] == "begin" and kinds[-1] == "end"


def test_bad_input_of_every_kind_then_a_good_request(serve, nginx, faulty_server):
    client = serve("--max-frame-bytes", "4096")
    sent_ids = []

    def raw(body: bytes, header: bytes | None = None):
        client.send_raw((header if header is not None else b"Content-Length: %d\r\n\r\n" % len(body)) + body)

    raw(b"garbage that is not a header\r\n\r\n")
    raw(b"", header=b"Content-Type: application/vscode-jsonrpc; charset=utf-8\r\n\r\n")
    raw(b"{not json")
    raw(b'{"jsonrpc":"2.0","id":901,"method":"stats","params":"\xff\xfe"}')
    raw(b'{"jsonrpc":"2.0","id":true,"method":"stats"}')
    raw(b'{"jsonrpc":"2.0","id":902,"method":5}')
    raw(b'{"jsonrpc":"2.0","id":903,"method":"stats","params":"text"}')
    raw(b'{"jsonrpc":"2.0","id":904,"method":"stats"}' + b" " * 5000)  # over the frame cap
    raw(b"[]")
    bad_frames = 9
    sent_ids += [901, 902, 903, 904]

    errors = {}
    for method, params in [
        ("noSuchMethod", {}),
        ("readRange", {"handle": "w1", "offset": "zero", "length": 1}),
        ("listEntries", {"handle": "w999"}),
        ("openWheel", {"url": f"{faulty_server.url}/garbage-1.0-py3-none-any.whl"}),
        ("openWheel", {"url": f"{nginx.url}/wheels/missing-1.0-py3-none-any.whl"}),
        ("openWheel", {"url": "file:///etc/passwd"}),
        ("openWheel", {"url": "ftp://127.0.0.1/x.whl"}),
        ("getMetadata", {}),
    ]:
        errors[method + json.dumps(params)] = error_of(lambda: client.request(method, params)).code
    codes = list(errors.values())
    assert codes == [-32601, -32602, -32010, -32030, -32021, -32040, -32040, -32602], errors

    # The server is still alive and answers a good request.
    assert client.request("getMetadata", {"url": f"{nginx.url}/wheels/{IDNA}"})["name"] == "idna"
    answered = {m.get("id") for m in client.raw_messages if "method" not in m}
    for request_id in sent_ids:
        assert request_id in answered, f"request {request_id} got no response"
    null_errors = [m for m in client.raw_messages if m.get("id") is None and "error" in m]
    assert {m["error"]["code"] for m in null_errors} >= {-32700, -32600}
    # One answer per bad frame, with its id whenever the frame carried one: none dropped silently.
    assert len(null_errors) == bad_frames - len(sent_ids), client.raw_messages
    assert client.shutdown_and_exit() == 0


def test_memory_budget_evicts_cached_bytes_not_handles(serve, nginx):
    budget = 100_000
    client = serve(options={"memoryBudgetBytes": budget})
    handles = []
    for name in list(MANIFEST):
        handle = client.request("openWheel", {"url": f"{nginx.url}/wheels/{name}"})["handle"]
        client.request("getMetadata", {"handle": handle})
        handles.append((name, handle))
    stats = client.request("stats")
    assert stats["openHandles"] == len(MANIFEST)
    assert stats["cachedBytes"] <= budget + 200_000, stats
    for name, handle in handles:  # every handle still works after eviction
        assert len(client.request("listEntries", {"handle": handle})["entries"]) == MANIFEST[name]["entries"]
        assert client.request("getMetadata", {"handle": handle})["version"] == MANIFEST[name]["version"]
        head = client.request("readRange", {"handle": handle, "offset": 0, "length": 2})
        assert base64.b64decode(head["data"]) == b"PK"


def test_open_wheel_headers_are_sent_and_never_echoed(serve, faulty_server):
    client = serve()
    secret = "Bearer s3cr3t-token"
    opened = client.request("openWheel", {"url": f"{faulty_server.url}/{IDNA}", "headers": {"Authorization": secret}})
    client.request("getMetadata", {"handle": opened["handle"]})
    assert faulty_server.authorizations and all(a == secret for a in faulty_server.authorizations)
    err = error_of(lambda: client.request(
        "openWheel", {"url": f"{faulty_server.url}/missing-1.0-py3-none-any.whl", "headers": {"Authorization": secret}}))
    assert "s3cr3t" not in err.message
    assert all("s3cr3t" not in json.dumps(m) for m in client.raw_messages)

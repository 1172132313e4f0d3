"""The collector's HTTP/1.1 layer, spoken byte by byte over a raw socket to a real `driftline collect`:
keep-alive and pipelining (answers in request order, a `sync` write in the middle holding the ones behind
it), `Expect: 100-continue`, chunked bodies (over the limit: 413 and the connection still serves), HTTP/1.0,
`Connection: close`, HEAD, wrong methods, and garbage that is not HTTP (a 400, then the server keeps serving)."""
import json
import signal
import socket
import time

import pytest

from collect_support import Collector, inspect, write_config

RECORD = json.dumps({"features": [5.1, 3.5, 1.4, 0.2], "probabilities": [0.9, 0.05, 0.05]})


@pytest.fixture
def server(tmp_path):
    collector = Collector(tmp_path / "log", write_config(tmp_path, body_limit="4KiB"))
    yield collector
    collector.stop(signal.SIGKILL)


def connect(server):
    sock = socket.create_connection(("127.0.0.1", server.port), timeout=10)
    return sock, sock.makefile("rb")


def read_response(stream):
    """One response: (status, headers, body); the body by its Content-Length."""
    status_line = stream.readline()
    assert status_line.startswith(b"HTTP/1."), status_line
    status = int(status_line.split()[1])
    headers = {}
    while (line := stream.readline()) not in (b"\r\n", b""):
        name, value = line.decode().split(":", 1)
        headers[name.strip().lower()] = value.strip()
    body = stream.read(int(headers.get("content-length", "0")))
    return status, headers, body


def post(path, body, extra=""):
    data = body.encode()
    return f"POST {path} HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: {len(data)}\r\n{extra}\r\n".encode() + data


def test_pipelined_requests_are_answered_in_order_a_sync_write_holding_the_rest(server, tmp_path):
    sock, stream = connect(server)
    batch = (post("/v1/endpoints/iris/records", RECORD)
             + post("/v1/endpoints/iris/records?sync=true", RECORD)
             + b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n"
             + post("/v1/endpoints/tulips/records", RECORD)
             + post("/v1/endpoints/iris/records", RECORD, "x-driftline-sync: true\r\n"))
    sock.sendall(batch)
    answers = [read_response(stream) for _ in range(5)]
    assert [a[0] for a in answers] == [200, 200, 200, 404, 200]
    assert json.loads(answers[0][2]) == {"accepted": 1, "durable": False}
    assert json.loads(answers[1][2]) == {"accepted": 1, "durable": True}
    assert json.loads(answers[2][2]) == {"status": "ok"}
    assert json.loads(answers[3][2])["error"] == "unknown_endpoint"
    assert json.loads(answers[4][2]) == {"accepted": 1, "durable": True}
    sock.close()
    assert len(inspect(tmp_path / "log", "iris")) == 3


def test_expect_100_continue_gets_its_interim_answer_then_the_real_one(server):
    sock, stream = connect(server)
    data = RECORD.encode()
    sock.sendall(f"POST /v1/endpoints/iris/records HTTP/1.1\r\nHost: x\r\nContent-Length: {len(data)}\r\nExpect: 100-continue\r\n\r\n".encode())
    assert stream.readline().startswith(b"HTTP/1.1 100")
    assert stream.readline() == b"\r\n"
    sock.sendall(data)
    status, _, body = read_response(stream)
    assert (status, json.loads(body)["accepted"]) == (200, 1)
    # Declared over the limit: no 100 but the 413 at once, then a FIN; a client that sends the body anyway
    # is not reset before it reads the answer.
    sock.sendall(b"POST /v1/endpoints/iris/records HTTP/1.1\r\nHost: x\r\nContent-Length: 1000000\r\nExpect: 100-continue\r\n\r\n")
    status, headers, body = read_response(stream)
    assert (status, headers["connection"], json.loads(body)["error"]) == (413, "close", "too_large")
    assert "1000000 bytes" in json.loads(body)["message"]
    assert stream.read() == b""
    sock.sendall(b"x" * 1_000_000)
    # The early answer is the one routing finds first: an unknown path gets its 404, not a 413.
    sock, stream = connect(server)
    sock.sendall(b"POST /v1/nowhere HTTP/1.1\r\nHost: x\r\nContent-Length: 1000000\r\nExpect: 100-continue\r\n\r\n")
    status, headers, body = read_response(stream)
    assert (status, headers["connection"], json.loads(body)["error"]) == (404, "close", "not_found")
    # Without Expect, an oversized body is read and dropped, and the connection serves on.
    sock, stream = connect(server)
    sock.sendall(post("/v1/endpoints/iris/records", "x" * 100_000) + b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
    assert read_response(stream)[0] == 413
    assert read_response(stream)[0] == 200


def test_a_chunked_body_over_the_limit_is_refused_and_the_connection_serves_on(server, tmp_path):
    sock, stream = connect(server)
    chunk = b"[" + b",".join([RECORD.encode()] * 60) + b"]"  # about 5 KiB, over the 4 KiB limit
    sock.sendall(b"POST /v1/endpoints/iris/records HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"
                 + f"{len(chunk):x}\r\n".encode() + chunk + b"\r\n0\r\n\r\n")
    status, _, body = read_response(stream)
    assert (status, json.loads(body)["error"]) == (413, "too_large")
    small = b"[" + RECORD.encode() + b"]"
    sock.sendall(b"POST /v1/endpoints/iris/records?sync=1 HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"
                 + f"{len(small):x}\r\n".encode() + small + b"\r\n0\r\n\r\n")
    status, _, body = read_response(stream)
    assert (status, json.loads(body)) == (200, {"accepted": 1, "durable": True})
    assert len(inspect(tmp_path / "log", "iris")) == 1


def test_http_1_0_connection_close_and_head(server):
    sock, stream = connect(server)
    sock.sendall(b"GET /healthz HTTP/1.0\r\n\r\n")
    status, headers, body = read_response(stream)
    assert status == 200 and headers.get("connection") != "keep-alive"
    assert stream.read() == b""  # HTTP/1.0 without keep-alive: closed after the answer
    sock, stream = connect(server)
    sock.sendall(b"GET /healthz HTTP/1.0\r\nConnection: keep-alive\r\n\r\nHEAD /readyz HTTP/1.0\r\nConnection: keep-alive\r\n\r\n")
    status, headers, body = read_response(stream)
    assert (status, headers["connection"], json.loads(body)) == (200, "keep-alive", {"status": "ok"})
    assert stream.readline().startswith(b"HTTP/1.0 200")  # HEAD: headers with the length, no body
    while (line := stream.readline()) != b"\r\n":
        assert not line.lower().startswith(b"content-length: 0")
    sock.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
    status, headers, _ = read_response(stream)
    assert (status, headers["connection"]) == (200, "close")
    assert stream.read() == b""


def test_wrong_methods_get_405_with_allow_and_unknown_paths_404(server):
    assert server.request("GET", "/v1/endpoints/iris/records")[:2][0] == 405
    status, headers, answer = server.request("GET", "/v1/endpoints/iris/records")
    assert (status, headers["allow"], answer["error"]) == (405, "POST", "method_not_allowed")
    status, headers, answer = server.request("POST", "/healthz")
    assert (status, headers["allow"]) == (405, "GET, HEAD")
    status, _, answer = server.request("GET", "/v2/models")
    assert (status, answer["error"], answer["field"]) == (404, "not_found", "path")
    assert "/v1/endpoints/<endpoint>/records" in answer["message"]


def test_garbage_that_is_not_http_gets_400_and_the_server_keeps_serving(server):
    for garbage in [b"\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03" + b"\x00" * 64,  # a TLS ClientHello
                    b"POST /v1/endpoints/iris/records HTTP/1.1\r\nContent-Length: nope\r\n\r\n",
                    b"GET / HTTP/1.1\r\nHost: x\r\n" + b"X-Long: " + b"a" * 200_000 + b"\r\n\r\n"]:
        sock, stream = connect(server)
        sock.sendall(garbage)
        first = stream.readline()
        assert first == b"" or first.startswith(b"HTTP/1.1 400"), first
        sock.close()
    assert server.request("GET", "/healthz")[0] == 200
    assert server.process.poll() is None


def rss_kib(pid):
    with open(f"/proc/{pid}/status") as status:
        return next(int(line.split()[1]) for line in status if line.startswith("VmRSS:"))


def test_a_client_that_never_reads_its_answers_is_not_read_either(server):
    request = b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n"
    total = 400_000  # 13 MB of requests whose answers would take 40 MB of the collector's memory
    before = rss_kib(server.process.pid)
    sock = socket.socket()
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 32 << 10)  # small, so that the collector soon cannot write
    sock.connect(("127.0.0.1", server.port))
    sock.settimeout(3)
    block = request * 1000
    sent = 0
    try:
        while sent < total:
            sock.sendall(block)
            sent += 1000
    except socket.timeout:
        pass  # the collector stopped reading: its answers wait for us to read them
    assert sent < total, "every request was taken although no answer was read"
    grown = rss_kib(server.process.pid) - before
    assert grown < 16_384, f"the collector grew by {grown} KiB while its answers were not read"
    sock.settimeout(10)
    received = bytearray()
    while received.count(b"\r\n\r\n") < 1000:
        received += sock.recv(1 << 16)
    assert received.startswith(b"HTTP/1.1 200 OK\r\n") and received.count(b"HTTP/1.1 200 OK\r\n") >= 1000
    sock.close()  # the rest of its answers are dropped with the connection
    assert server.request("GET", "/healthz")[0] == 200


def test_nothing_after_a_connection_close_answer_is_taken(server, tmp_path):
    sock, stream = connect(server)
    sock.sendall(post("/v1/endpoints/iris/records?sync=true", RECORD, "Connection: close\r\n") + post("/v1/endpoints/iris/records", RECORD))
    status, headers, body = read_response(stream)
    assert (status, headers["connection"], json.loads(body)) == (200, "close", {"accepted": 1, "durable": True})
    assert "date" in headers and headers["date"].endswith(" GMT")
    # The pipelined second request is not taken: NIO's parser refuses bytes after `Connection: close` (a bare
    # 400 that closes) or the connection just ends.
    rest = stream.read()
    assert rest == b"" or rest.startswith(b"HTTP/1.1 400 Bad Request\r\nConnection: close\r\n"), rest
    assert len(inspect(tmp_path / "log", "iris")) == 1


def test_sigterm_finishes_the_request_in_progress_and_closes_idle_connections(server, tmp_path):
    idle, idle_stream = connect(server)
    idle.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
    assert read_response(idle_stream)[0] == 200
    busy, busy_stream = connect(server)
    data = RECORD.encode()
    busy.sendall(f"POST /v1/endpoints/iris/records HTTP/1.1\r\nHost: x\r\nContent-Length: {len(data)}\r\n\r\n".encode() + data[:10])
    time.sleep(0.3)
    server.process.send_signal(signal.SIGTERM)
    assert idle_stream.read() == b""  # the idle keep-alive connection is closed at once
    time.sleep(0.3)
    busy.sendall(data[10:])  # the request that was arriving is still taken...
    status, headers, body = read_response(busy_stream)
    assert (status, headers["connection"], json.loads(body)["accepted"]) == (200, "close", 1)  # ...and its answer closes
    assert server.process.wait(15) == 0
    assert "logged 1, written 1, synced 1" in server.process.stderr.read()
    assert len(inspect(tmp_path / "log", "iris")) == 1


def test_mutated_requests_never_take_the_collector_down(server, tmp_path):
    """400 requests built from valid ones by a seeded random mutator (bytes flipped, cut, repeated, inserted;
    header lines dropped or duplicated): every one is answered with a status or a closed connection, the
    collector stays up, and what it accepted is readable."""
    import random

    rng = random.Random(20261203)
    seeds = [post("/v1/endpoints/iris/records?sync=true", "[" + RECORD + "," + RECORD + "]"),
             post("/", json.dumps({"instances": [[5.1, 3.5, 1.4, 0.2]]}),
                  "ce-specversion: 1.0\r\nce-id: m1\r\nce-type: org.kubeflow.serving.inference.request\r\n"
                  "ce-inferenceservicename: sklearn-iris\r\n"),
             b"GET /metrics HTTP/1.1\r\nHost: x\r\n\r\n",
             b"POST /v1/endpoints/iris/labels HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"
             b"2a\r\n{\"request_id\": \"r1\", \"label\": \"setosa\"}\n\r\n0\r\n\r\n"]
    statuses = {}
    for _ in range(400):
        data = bytearray(rng.choice(seeds))
        for _ in range(rng.randint(1, 4)):
            if not data:
                break
            kind = rng.randrange(5)
            at = rng.randrange(len(data))
            if kind == 0:
                data[at] = rng.randrange(256)
            elif kind == 1:
                del data[at:at + rng.randint(1, 40)]
            elif kind == 2:
                data[at:at] = bytes(rng.randrange(256) for _ in range(rng.randint(1, 40)))
            elif kind == 3:
                data[at:at] = data[at:at + rng.randint(1, 200)]
            else:
                lines = bytes(data).split(b"\r\n")
                i = rng.randrange(len(lines))
                lines.insert(i, lines[i]) if rng.random() < 0.5 else lines.pop(i)
                data = bytearray(b"\r\n".join(lines))
        sock = socket.create_connection(("127.0.0.1", server.port), timeout=5)
        try:
            sock.sendall(bytes(data))
            sock.shutdown(socket.SHUT_WR)
            first = sock.makefile("rb").readline()
        except (ConnectionResetError, socket.timeout, BrokenPipeError):
            first = b""
        finally:
            sock.close()
        status = int(first.split()[1]) if first.startswith(b"HTTP/1.") and len(first.split()) > 1 else None
        statuses[status] = statuses.get(status, 0) + 1
        assert status is None or 200 <= status < 600, first
        assert server.process.poll() is None, "the collector died"
    assert server.request("GET", "/healthz")[0] == 200
    print(f"\nmutated requests: answers by status {dict(sorted(statuses.items(), key=lambda kv: (kv[0] is None, kv[0] or 0)))}")
    assert statuses.get(400, 0) > 0 and sum(v for k, v in statuses.items() if k and k < 300) > 0, statuses
    inspect(tmp_path / "log")  # readable, no corruption

"""`driftline batch --anodot-url --anodot-token-file` against a real HTTP server (Python's http.server in a
thread, speaking HTTP/1.1): every point of the run arrives exactly once in requests of at most 1,000, a 500 is
retried without duplicating accepted batches, a refused connection is retried then left to the `--anodot`
file with exit code 5, a 401 is not retried; `--anodot-format mlwatcher` names the points as MLWatcher does."""
import json
import math
import socket
import subprocess
import threading
import time
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from conftest import bin_dir

TOKEN = "s3cret+token/42"


class AnodotStub:
    """A metrics API: records each request and answers the scripted statuses in order, then `default`."""

    def __init__(self, statuses=(), default=200, accepted_body=None):
        self.statuses, self.default, self.requests = list(statuses), default, []
        self.accepted_body = accepted_body or {"errors": []}
        self.lock = threading.Lock()
        stub = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                with stub.lock:
                    status = stub.statuses.pop(0) if stub.statuses else stub.default
                    url = urllib.parse.urlsplit(self.path)
                    stub.requests.append({"path": url.path, "query": urllib.parse.parse_qs(url.query),
                                          "type": self.headers.get("Content-Type"), "points": json.loads(body),
                                          "status": status})
                answer = json.dumps(stub.accepted_body if status < 300 else {"error": f"status {status}"}).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(answer)))
                self.end_headers()
                self.wfile.write(answer)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()

    def accepted_points(self):
        return [p for r in self.requests if r["status"] < 300 for p in r["points"]]


def canonical(point):
    return json.dumps(point, sort_keys=True)


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    """A demo store (4 endpoints × 3 hours) and the range of its hours."""
    folder = tmp_path_factory.mktemp("anodot") / "demo"
    subprocess.run([str(bin_dir() / "driftline"), "demo", "--directory", str(folder), "--hours", "3"],
                   check=True, capture_output=True, timeout=900)
    top = int(time.time()) // 3600 * 3600
    token_file = folder / "anodot.token"
    token_file.write_text(TOKEN + "\n")
    token_file.chmod(0o600)
    return {"store": folder / "store", "from": str(top - 4 * 3600), "to": str(top + 3600), "token": token_file,
            "folder": folder}


def batch(demo, *args, url=None):
    command = [str(bin_dir() / "driftline"), "batch", "--store", str(demo["store"]),
               "--from", demo["from"], "--to", demo["to"], *map(str, args)]
    if url:
        command += ["--anodot-url", url, "--anodot-token-file", str(demo["token"])]
    started = time.monotonic()
    proc = subprocess.run(command, capture_output=True, text=True, timeout=600)
    proc.elapsed = time.monotonic() - started
    assert TOKEN not in proc.stdout + proc.stderr and TOKEN not in " ".join(command)
    return proc


def test_every_point_arrives_once_in_requests_of_at_most_1000(demo, tmp_path):
    file = tmp_path / "anodot.json"
    with AnodotStub() as stub:
        proc = batch(demo, "--anodot", file, url=stub.url)
    assert proc.returncode == 0, proc.stderr
    written = json.loads(file.read_text())
    assert len(written) > 1000, f"only {len(written)} points: the test needs several requests"
    sizes = [len(r["points"]) for r in stub.requests]
    print(f"{len(written)} points in {len(sizes)} requests of {sizes}")
    assert all(0 < n <= 1000 for n in sizes)
    assert len(sizes) == math.ceil(len(written) / 1000)
    received = [canonical(p) for p in stub.accepted_points()]
    assert len(received) == len(set(received)), "a point arrived twice"
    assert received == [canonical(p) for p in written], "the server did not receive exactly the file's points"
    for r in stub.requests:
        assert r["path"] == "/api/v1/metrics" and r["type"] == "application/json"
        assert r["query"] == {"token": [TOKEN], "protocol": ["anodot20"]}
    assert f"pushed {len(written)} points" in proc.stdout, proc.stdout


def test_a_500_is_retried_and_no_accepted_batch_is_sent_twice(demo, tmp_path):
    file = tmp_path / "anodot.json"
    with AnodotStub(statuses=[200, 500]) as stub:
        proc = batch(demo, "--anodot", file, url=stub.url)
    assert proc.returncode == 0, proc.stderr
    written = [canonical(p) for p in json.loads(file.read_text())]
    statuses = [r["status"] for r in stub.requests]
    print(f"statuses {statuses}, {len(written)} points")
    assert statuses[:3] == [200, 500, 200] and statuses.count(500) == 1
    # The refused request's batch is sent again identically; accepted points are each received once.
    assert stub.requests[1]["points"] == stub.requests[2]["points"]
    assert [canonical(p) for p in stub.accepted_points()] == written
    assert "in 3 requests (1 retry)" in proc.stdout, proc.stdout


def test_a_refused_connection_is_retried_then_left_to_the_file(demo, tmp_path):
    with socket.socket() as s:  # a port nothing listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    file = tmp_path / "anodot.json"
    reports = demo["store"] / "reports"
    before = time.time()
    proc = batch(demo, "--anodot", file, url=f"http://127.0.0.1:{port}")
    print(proc.stderr, f"elapsed {proc.elapsed:.1f} s")
    assert proc.returncode == 5, proc.stderr
    assert "the Anodot push failed" in proc.stderr and "connection refused" in proc.stderr
    assert "failed 5 times" in proc.stderr and f"the metrics are in {file}" in proc.stderr
    assert "0 of" in proc.stderr and "in 5 requests (4 retries)" in proc.stderr
    # Backoff 0.5 + 1 + 2 + 4 s between the 5 tries.
    assert proc.elapsed >= 7.5
    # The analysis is kept: the file, the printed analyses and the rewritten reports.
    assert len(json.loads(file.read_text())) > 1000
    assert "iris-good v1" in proc.stdout
    assert min(p.stat().st_mtime for p in reports.glob("*/*.json")) >= before - 1


def test_a_401_is_reported_and_not_retried(demo, tmp_path):
    file = tmp_path / "anodot.json"
    with AnodotStub(default=401) as stub:
        proc = batch(demo, "--anodot", file, url=stub.url)
    print(proc.stderr)
    assert proc.returncode == 5, proc.stderr
    assert len(stub.requests) == 1
    assert "HTTP 401" in proc.stderr and "not retried" in proc.stderr and "--anodot-token-file" in proc.stderr
    assert file.exists()


def test_push_without_a_file_says_the_metrics_are_not_kept(demo):
    with AnodotStub(default=400) as stub:
        proc = batch(demo, url=stub.url)
    assert proc.returncode == 5 and len(stub.requests) == 1
    assert "no --anodot file was given" in proc.stderr, proc.stderr


def test_mlwatcher_format_in_the_file_and_the_push(demo, tmp_path):
    import deltalake

    file = tmp_path / "anodot.json"
    with AnodotStub() as stub:
        proc = batch(demo, "--anodot", file, "--anodot-format", "mlwatcher", url=stub.url)
    assert proc.returncode == 0, proc.stderr
    written = json.loads(file.read_text())
    assert [canonical(p) for p in stub.accepted_points()] == [canonical(p) for p in written]
    allowed = {"what", "agent_id", "ver", "model_version", "target_type", "feat_name", "class_name", "stat",
               "feat_value", "class_label"}
    for p in written:
        assert set(p) == {"properties", "tags", "timestamp", "value"}
        assert set(p["properties"]) <= allowed and p["properties"]["ver"] == "1"
        assert p["properties"]["target_type"] in ("gauge", "counter")
    whats = {p["properties"]["what"] for p in written}
    assert {"feature_value", "buffer_count", "prediction_count", "prediction_freq", "max_prediction_proba",
            "spread12_prediction_proba", "accuracy", "precision", "recall", "f1"} <= whats, whats
    # buffer_count per endpoint and hour is the performance table's requests.
    performance = deltalake.DeltaTable(str(demo["store"] / "performance")).to_pandas()
    buffers = {(p["properties"]["agent_id"], p["timestamp"]): p["value"] for p in written
               if p["properties"]["what"] == "buffer_count"}
    assert len(buffers) == 12
    for row in performance.itertuples():
        key = (row.endpoint, int(row.window_start.timestamp()))
        if key in buffers:
            assert buffers.pop(key) == row.requests
    assert not buffers
    # Feature statistics: petal_length's mean equals the performance-independent drift table's mean.
    drift = deltalake.DeltaTable(str(demo["store"] / "drift")).to_pandas()
    means = drift[(drift.column_name == "petal_length") & (drift.baseline == "reference")]
    for row in means.itertuples():
        point = [p for p in written if p["properties"].get("feat_name") == "petal_length"
                 and p["properties"].get("stat") == "mean" and p["properties"]["agent_id"] == row.endpoint
                 and p["timestamp"] == int(row.window_start.timestamp())]
        assert len(point) == 1 and point[0]["value"] == pytest.approx(row.mean, rel=1e-12)


@pytest.mark.parametrize("args, says", [
    (["--anodot-url", "http://127.0.0.1:9"], ["--anodot-url needs --anodot-token-file"]),
    (["--anodot-format", "graphite"], ["--anodot-format graphite", "anodot20, mlwatcher"]),
    (["--anodot-url", "api.anodot.com", "--anodot-token-file", "{token}"], ["--anodot-url api.anodot.com", "https://api.anodot.com"]),
    (["--anodot-url", "http://127.0.0.1:9", "--anodot-token-file", "{folder}/missing"], ["missing", "no such readable file"]),
])
def test_mistakes_are_refused_before_the_run(demo, args, says):
    args = [a.format(token=demo["token"], folder=demo["folder"]) for a in args]
    proc = batch(demo, *args)
    assert proc.returncode == 64, proc.stderr
    for text in says:
        assert text in proc.stderr, proc.stderr


def test_errors_listed_in_an_accepted_answer_are_warned_about(demo, tmp_path):
    listed = {"errors": [{"error": 7, "description": "value is not a number", "index": 3}]}
    with AnodotStub(accepted_body=listed) as stub:
        proc = batch(demo, "--anodot", tmp_path / "anodot.json", url=stub.url)
    assert proc.returncode == 0, proc.stderr
    assert len(stub.requests) == 2
    assert "listed 2 error(s)" in proc.stderr and "value is not a number" in proc.stderr, proc.stderr

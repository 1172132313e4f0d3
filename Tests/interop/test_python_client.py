"""The Python client (clients/python) installed with pip from the repository path, against a real `driftline
collect`: batching, labels, flush, a collector that is down or refuses (503), never blocking the caller; and
the FastAPI example under a threaded load generator while the collector is SIGKILLed and restarted."""
import http.client
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time

import pytest

from collect_support import Collector, inspect, write_config
from conftest import ROOT

CLIENT = ROOT / "clients" / "python"


@pytest.fixture(scope="module")
def client_path(tmp_path_factory):
    """The client pip-installed from the repository's folder (no dependencies, no network) into a folder put first on sys.path."""
    target = tmp_path_factory.mktemp("client")
    # A copy of the folder, so that setuptools' build/ and .egg-info/ do not land in the repository.
    source = tmp_path_factory.mktemp("client-source") / "python"
    shutil.copytree(CLIENT, source, ignore=shutil.ignore_patterns("build", "*.egg-info", "__pycache__"))
    proc = subprocess.run([sys.executable, "-m", "pip", "install", "-q", "--no-deps", "--no-build-isolation", "--target", str(target), str(source)],
                          capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    sys.path.insert(0, str(target))
    yield target
    sys.path.remove(str(target))


@pytest.fixture
def collector(tmp_path):
    started = []

    def start(*args, **settings):
        server = Collector(tmp_path / "log", write_config(tmp_path, **settings), *args)
        started.append(server)
        return server

    yield start
    for server in started:
        server.stop(signal.SIGKILL)


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_the_client_is_installed_from_the_repository_path_and_typed(client_path):
    import driftline_client

    assert (client_path / "driftline_client" / "py.typed").exists()
    assert driftline_client.__file__.startswith(str(client_path))


def test_records_and_labels_reach_the_log_in_batches(client_path, collector, tmp_path):
    from driftline_client import DriftlineLogger

    server = collector()
    logger = DriftlineLogger(f"http://127.0.0.1:{server.port}", "iris", batch_size=100)
    for i in range(1000):
        assert logger.log(features={"sepal_length": 5.0 + i % 7 / 10, "sepal_width": 3.1, "petal_length": 1.4, "petal_width": 0.2},
                          probabilities=[0.9, 0.05, 0.05], request_id=f"py-{i}", latency_ms=1.25, event_time=1768464000 + i)
    logger.log(features=[6.0, 2.9, 4.5, 1.5], prediction="versicolor", request_id="py-pred")
    logger.log(features=[6.0, 2.9, 4.5], probabilities=[0.2, 0.7, 0.1], request_id="py-bad")  # refused by the collector: 3 features
    for i in range(0, 1000, 10):
        logger.log_label(f"py-{i}", "setosa", event_time=1768471200)
    assert logger.flush(timeout=60)
    stats = logger.stats
    assert (stats.accepted, stats.rejected, stats.dropped, stats.failed) == (1101, 1, 0, 0), stats
    assert "features" in stats.last_error
    records = inspect(tmp_path / "log", "iris")
    inferences = [r for r in records if r["type"] == "inference"]
    labels = [r for r in records if r["type"] == "label"]
    assert len(inferences) == 1001 and len(labels) == 100
    assert inferences[0]["latency_us"] == 1250 and inferences[0]["timestamp"] == "2026-01-15T08:00:00.000000Z"
    assert inferences[-1]["request_id"] == "py-pred" and inferences[-1]["prediction"] == "versicolor"
    # Batching: far fewer requests than records.
    assert server.metric("driftline_collect_records_accepted_total", endpoint="iris", source="records") == 1001
    logger.close()


def test_log_never_blocks_when_the_collector_is_down_and_drops_are_counted(client_path):
    from driftline_client import DriftlineLogger

    logger = DriftlineLogger(f"http://127.0.0.1:{free_port()}", "iris", max_queue=5000, max_backoff=0.2, exit_timeout=0.5)
    durations = []
    for i in range(20000):
        started = time.perf_counter()
        logger.log(features=[5.1, 3.5, 1.4, 0.2], probabilities=[0.9, 0.05, 0.05], request_id=f"d{i}")
        durations.append(time.perf_counter() - started)
    durations.sort()
    p99_us = durations[int(0.99 * len(durations))] * 1e6
    # The queue holds 5000 and the sending thread holds one batch of 500 it keeps retrying: the rest is dropped, counted.
    assert logger.stats.dropped >= 20000 - 5000 - 500, logger.stats
    assert logger.stats.queued + logger.stats.dropped == 20000
    assert p99_us < 1000, f"log() p99 {p99_us:.0f} µs with the collector down"
    assert not logger.flush(timeout=0.5)
    logger.close(timeout=0.2)
    print(f"\nclient, collector down: log() p50 {durations[len(durations) // 2] * 1e6:.1f} µs, p99 {p99_us:.1f} µs, {logger.stats.dropped} dropped")


def test_503_is_retried_after_retry_after_until_everything_is_accepted(client_path, collector, tmp_path):
    from driftline_client import DriftlineLogger

    server = collector("--buffer-bytes", "1024")
    loggers = [DriftlineLogger(f"http://127.0.0.1:{server.port}", "iris", batch_size=40, flush_interval=0.01) for _ in range(4)]
    for n, logger in enumerate(loggers):
        for i in range(1500):
            logger.log(features=[5.1, 3.5, 1.4, 0.2], probabilities=[0.9, 0.05, 0.05], request_id=f"r{n}-{i}")
    for logger in loggers:
        assert logger.flush(timeout=120), logger.stats
    assert sum(l.stats.accepted for l in loggers) == 6000
    assert sum(l.stats.failed + l.stats.dropped for l in loggers) == 0
    retries = sum(l.stats.retries for l in loggers)
    logged = [r["request_id"] for r in inspect(tmp_path / "log", "iris") if r["type"] == "inference"]
    assert sorted(logged) == sorted(f"r{n}-{i}" for n in range(4) for i in range(1500))
    print(f"\nclient vs a 1 KiB buffer: {retries} batches retried after 503, all 6000 records logged once")


def get(port, path, method="GET", body=None, timeout=30):
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        connection.request(method, path, body=body, headers={"content-type": "application/json"})
        response = connection.getresponse()
        return response.status, json.loads(response.read() or b"null")
    finally:
        connection.close()


def test_fastapi_app_under_load_never_waits_and_survives_a_collector_kill(client_path, collector, tmp_path):
    # fastapi and uvicorn come from clients/python/examples/requirements.txt, installed by tools/setup.
    import fastapi  # noqa: F401  -- fails loudly when tools/setup did not install them
    import uvicorn  # noqa: F401

    server = collector()
    app_port = free_port()
    env = {**os.environ, "DRIFTLINE_URL": f"http://127.0.0.1:{server.port}", "DRIFTLINE_ENDPOINT": "iris", "DRIFTLINE_SYNC": "1",
           "PYTHONPATH": f"{client_path}{os.pathsep}{CLIENT / 'examples'}"}
    app = subprocess.Popen([sys.executable, "-m", "uvicorn", "fastapi_app:app", "--port", str(app_port), "--log-level", "warning"],
                           env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if get(app_port, "/stats")[0] == 200:
                    break
            except OSError:
                pass
            assert time.monotonic() < deadline and app.poll() is None, app.stderr.read() if app.poll() is not None else "uvicorn did not start"
            time.sleep(0.2)
        answered, latencies, lock = [], [], threading.Lock()
        requests_per_worker = 600

        def worker(w):
            connection = http.client.HTTPConnection("127.0.0.1", app_port, timeout=30)
            for i in range(requests_per_worker):
                rid = f"fa-{w}-{i}"
                body = json.dumps({"id": rid, "features": [5.0 + (i % 10) / 10, 3.0, 1.5 + (w % 3), 0.2]})
                started = time.perf_counter()
                connection.request("POST", "/predict", body=body, headers={"content-type": "application/json"})
                response = connection.getresponse()
                response.read()
                with lock:
                    latencies.append(time.perf_counter() - started)
                    if response.status == 200:
                        answered.append(rid)
            connection.close()

        threads = [threading.Thread(target=worker, args=(w,)) for w in range(8)]
        for t in threads:
            t.start()
        time.sleep(1.0)
        server.stop(signal.SIGKILL)  # mid-run: the app keeps answering, the client queues and retries
        time.sleep(1.5)
        server.start()
        for t in threads:
            t.join()
        status, flushed = get(app_port, "/flush", method="POST")
        assert status == 200 and flushed["durable"] is True
        status, stats = get(app_port, "/stats")
        assert answered and len(answered) == 8 * requests_per_worker
        assert stats["dropped"] == 0 and stats["failed"] == 0 and stats["rejected"] == 0, stats
        assert stats["retries"] >= 1, stats  # the kill was noticed and retried
        logged = [r["request_id"] for r in inspect(tmp_path / "log", "iris") if r["type"] == "inference"]
        missing = set(answered) - set(logged)
        assert not missing, f"{len(missing)} answered requests missing from the log"
        duplicates = len(logged) - len(set(logged))
        assert stats["log_p99_us"] < 5000, stats  # logging never waits on the collector
        latencies.sort()
        print(f"\nFastAPI + client: {len(answered)} requests, log() p50 {stats['log_p50_us']:.1f} µs p99 {stats['log_p99_us']:.1f} µs "
              f"max {stats['log_max_us']:.0f} µs added per request; request p99 {latencies[int(0.99 * len(latencies))] * 1000:.1f} ms; "
              f"{stats['retries']} batches retried across the collector kill; {duplicates} duplicates (batches fsynced whose answer the kill cut)")
    finally:
        app.send_signal(signal.SIGTERM)
        try:
            app.wait(15)
        except subprocess.TimeoutExpired:
            app.kill()

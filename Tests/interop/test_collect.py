"""`driftline collect` as a real process on a loopback port: KServe CloudEvents (v1 and Open Inference Protocol
v2, paired in both orders, repeated, unpaired), native records and labels, bad input, a full buffer, metrics,
health, SIGTERM and SIGKILL. What reached the log is read back with `driftline inspect --json`."""
import json
import shutil
import signal
import subprocess
import threading
import time

import pytest

from collect_support import Collector, fixture, inspect, write_config
from conftest import bin_dir

V1_REQUEST, V1_RESPONSE = fixture("v1-iris-request.json"), fixture("v1-iris-response.json")
V2_REQUEST, V2_RESPONSE = fixture("v2-tabular-request.json"), fixture("v2-tabular-response.json")


@pytest.fixture
def collector(tmp_path):
    started = []

    def start(*args, **settings):
        config = write_config(tmp_path, **settings)
        server = Collector(tmp_path / "log", config, *args)
        started.append(server)
        return server

    yield start
    for server in started:
        server.stop(signal.SIGKILL)


def inferences(log, endpoint):
    return [r for r in inspect(log, endpoint) if r["type"] == "inference"]


def test_kserve_pairs_in_both_orders_duplicates_written_once_unpaired_counted(collector, tmp_path):
    server = collector(pair_timeout="1s")
    # v1 (sklearn iris, class indexes): request then response, and response then request.
    assert server.event("a", "request", V1_REQUEST, time="2026-01-15T08:00:00Z")[0] == 200
    assert server.event("a", "response", V1_RESPONSE, time="2026-01-15T08:00:00.0035Z")[2]["accepted"] == 2
    assert server.event("b", "response", V1_RESPONSE, time="2026-01-15T08:00:01.002Z")[2]["status"] == "waiting"
    assert server.event("b", "request", V1_REQUEST, time="2026-01-15T08:00:01Z")[2]["accepted"] == 2
    # Repeats of both halves of an inference already written: ignored.
    for half, body in [("request", V1_REQUEST), ("response", V1_RESPONSE)]:
        status, _, answer = server.event("a", half, body)
        assert (status, answer["status"]) == (200, "duplicate")
    # A repeated first half before its pair arrives is ignored too; the pair is then written once.
    assert server.event("c", "request", V1_REQUEST, time="2026-01-15T08:00:02Z")[2]["status"] == "waiting"
    assert server.event("c", "request", V1_REQUEST, time="2026-01-15T08:00:02Z")[2]["status"] == "duplicate"
    assert server.event("c", "response", V1_RESPONSE, time="2026-01-15T08:00:02.001Z")[2]["accepted"] == 2
    # Open Inference Protocol v2: a [3, 4] FP32 tensor, probabilities [3, 3], the response's model_version.
    v2 = dict(service="sklearn-iris-v2", namespace="models")
    assert server.event("d", "response", V2_RESPONSE, time="2026-01-15T08:00:03.010Z", **v2)[2]["status"] == "waiting"
    status, _, answer = server.event("d", "request", V2_REQUEST, time="2026-01-15T08:00:03Z", **v2)
    assert (status, answer["accepted"]) == (200, 3), answer
    assert server.event("d", "response", V2_RESPONSE, **v2)[2]["status"] == "duplicate"
    # Another namespace is another service: not this endpoint.
    status, _, answer = server.event("e", "request", V2_REQUEST, service="sklearn-iris-v2", namespace="staging")
    assert status == 404 and "staging" in answer["message"]
    # Unpaired halves: a request and a response that never meet their other half.
    assert server.event("lonely-request", "request", V1_REQUEST)[2]["status"] == "waiting"
    assert server.event("lonely-response", "response", V1_RESPONSE)[2]["status"] == "waiting"
    time.sleep(1.6)
    assert server.metric("driftline_collect_events_unpaired_total", half="request", reason="timeout") == 1
    assert server.metric("driftline_collect_events_unpaired_total", half="response", reason="timeout") == 1
    assert server.metric("driftline_collect_events_duplicate_total") == 4
    assert server.metric("driftline_collect_pending_events") == 0
    # The late other half of an expired event waits alone (it is not paired with nothing, nor written).
    assert server.event("lonely-request", "response", V1_RESPONSE)[2]["status"] == "waiting"
    assert server.post("/v1/flush", b"")[0] == 200

    v1 = inferences(tmp_path / "log", "iris")
    assert [r["request_id"] for r in v1] == ["a-0", "a-1", "b-0", "b-1", "c-0", "c-1"]
    assert v1[0]["features"] == {"sepal_length": 6.8, "sepal_width": 2.8, "petal_length": 4.8, "petal_width": 1.4}
    assert v1[3]["features"] == {"sepal_length": 6.0, "sepal_width": 3.4, "petal_length": 4.5, "petal_width": 1.6}
    assert all(r["prediction"] == "versicolor" and r["probabilities"]["versicolor"] == 1 for r in v1)
    assert v1[0]["timestamp"] == "2026-01-15T08:00:00.000000Z" and v1[0]["latency_us"] == 3500
    assert v1[2]["timestamp"] == "2026-01-15T08:00:01.000000Z" and v1[2]["latency_us"] == 2000

    lines = inspect(tmp_path / "log", "iris-v2")
    v2rows = [r for r in lines if r["type"] == "inference"]
    assert [r["request_id"] for r in v2rows] == ["d-0", "d-1", "d-2"]
    assert [r["prediction"] for r in v2rows] == ["setosa", "versicolor", "virginica"]
    assert v2rows[1]["probabilities"] == pytest.approx({"setosa": 0.02, "versicolor": 0.81, "virginica": 0.17})
    assert v2rows[2]["features"]["petal_length"] == pytest.approx(6.1)
    assert v2rows[0]["latency_us"] == 10000
    batch = json.loads(subprocess.run(
        [str(bin_dir() / "driftline"), "inspect", "--log", str(tmp_path / "log"), "--endpoint", "iris-v2", "--json", "--batches-only"],
        capture_output=True, text=True, check=True).stdout.splitlines()[0])
    assert batch["model_version"] == "v2.1"


def test_native_records_and_labels(collector, tmp_path):
    server = collector()
    batch = [
        {"features": {"sepal_length": 5.1, "sepal_width": 3.5, "petal_length": 1.4, "petal_width": 0.2},
         "probabilities": {"setosa": 0.9, "versicolor": 0.07, "virginica": 0.03}, "request_id": "n1", "latency_ms": 2.5,
         "event_time": "2026-01-15T09:00:00Z"},
        {"features": [6.3, 3.3, 6.0, 2.5], "prediction": "virginica", "request_id": "n2", "event_time": 1768467600.5, "label": "virginica"},
        {"features": [6.3, 3.3, 6.0], "probabilities": [0.1, 0.1, 0.8], "request_id": "bad-arity"},
        {"features": [6.3, 3.3, 6.0, 2.5], "probabilities": [0.5, 0.6, 0.1], "request_id": "bad-sum"},
        {"features": [6.3, 3.3, 6.0, 2.5], "probabilities": [0.1, 0.1, 0.8], "request_id": "n3", "colour": "red"},
    ]
    status, _, answer = server.post("/v1/endpoints/iris/records?sync=true", json.dumps(batch))
    assert status == 400 and answer["accepted"] == 2 and answer["durable"] is True, answer
    assert [(r["index"], r["field"]) for r in answer["rejected"]] == [(2, "features"), (3, "probabilities"), (4, "colour")]
    assert "sum" in answer["rejected"][1]["message"] and "colour" in answer["rejected"][2]["message"]
    # JSON lines, a regression endpoint with a categorical feature.
    lines = "\n".join(json.dumps({"features": {"rooms": r, "city": c}, "prediction": 100.0 + r, "request_id": f"p{r}"})
                      for r, c in [(2, "lyon"), (3, "paris"), (4, "lille")])
    status, _, answer = server.post("/v1/endpoints/price/records", lines + "\n", {"x-driftline-sync": "true"})
    assert (status, answer["accepted"], answer["durable"]) == (200, 3, True)
    labels = [{"request_id": "n1", "label": "setosa", "event_time": "2026-01-15T10:00:00Z"}, {"request_id": "n9", "label": "daisy"}]
    status, _, answer = server.post("/v1/endpoints/iris/labels?sync=true", json.dumps(labels))
    assert status == 400 and answer["accepted"] == 1 and answer["rejected"][0]["field"] == "label"

    records = inspect(tmp_path / "log", "iris")
    assert [(r["type"], r["request_id"]) for r in records] == [("inference", "n1"), ("inference", "n2"), ("label", "n1")]
    assert records[0]["latency_us"] == 2500 and records[0]["timestamp"] == "2026-01-15T09:00:00.000000Z"
    assert records[1]["label"] == "virginica" and records[1]["timestamp"] == "2026-01-15T09:00:00.500000Z"
    assert records[1]["probabilities"] == {"setosa": 0, "versicolor": 0, "virginica": 1}
    price = inferences(tmp_path / "log", "price")
    assert [(r["features"]["city"], r["prediction"]) for r in price] == [("lyon", 102), ("paris", 103), ("lille", 104)]
    assert server.metric("driftline_collect_records_accepted_total", endpoint="iris", source="records") == 2
    assert server.metric("driftline_collect_records_rejected_total", endpoint="iris", reason="invalid_record") == 4


def test_an_event_time_outside_the_valid_range_gets_a_400_naming_it(collector, tmp_path):
    """EventTimeRange (2000-01-01 to one hour after now), the rule tail quarantines by, applied where records enter."""
    server = collector()
    record = {"features": [6.3, 3.3, 6.0, 2.5], "probabilities": [0.1, 0.1, 0.8]}
    batch = [{**record, "request_id": "future", "event_time": "2100-01-01T00:00:00Z"},
             {**record, "request_id": "ok", "event_time": "2026-01-15T09:00:00Z"},
             {**record, "request_id": "past", "event_time": "1999-12-31T23:59:59Z"}]
    status, _, answer = server.post("/v1/endpoints/iris/records?sync=true", json.dumps(batch))
    assert status == 400 and answer["accepted"] == 1, answer
    assert [(r["index"], r["field"]) for r in answer["rejected"]] == [(0, "timestamp"), (2, "timestamp")]
    assert "2100-01-01T00:00:00Z" in answer["rejected"][0]["message"] and "an event time must lie in" in answer["rejected"][0]["message"]
    assert "1999-12-31T23:59:59Z" in answer["rejected"][1]["message"]
    labels = [{"request_id": "ok", "label": "setosa", "event_time": "2100-01-01T00:00:00Z"}]
    status, _, answer = server.post("/v1/endpoints/iris/labels?sync=true", json.dumps(labels))
    assert status == 400 and answer["accepted"] == 0 and answer["rejected"][0]["field"] == "timestamp", answer
    assert [r["request_id"] for r in inspect(tmp_path / "log", "iris")] == ["ok"]
    assert server.metric("driftline_collect_records_rejected_total", endpoint="iris", reason="invalid_record") == 3


def test_bad_input_gets_a_4xx_naming_the_problem_and_nothing_else_is_lost(collector, tmp_path):
    token_file = tmp_path / "token"
    token_file.write_text("s3cret-token\n")
    server = collector("--token-file", str(token_file), body_limit="64KiB")
    auth = {"Authorization": "Bearer s3cret-token"}
    good = json.dumps({"features": [5.1, 3.5, 1.4, 0.2], "probabilities": [0.9, 0.05, 0.05], "request_id": "good-1"})
    cases = [
        # (path, body, headers, status, code, text in the message)
        ("/v1/endpoints/iris/records", good, {}, 401, "unauthorized", "Authorization: Bearer"),
        ("/v1/endpoints/iris/records", good, {"Authorization": "Bearer nope"}, 403, "forbidden", "wrong bearer token"),
        ("/v1/endpoints/iris/records", '[{"features": [5.1, 3.5', auth, 400, "malformed_json", "malformed JSON at byte"),
        ("/v1/endpoints/tulips/records", good, auth, 404, "unknown_endpoint", "iris, iris-v2, price"),
        ("/v1/endpoints/iris/records", "[" + ",".join([good] * 1000) + "]", auth, 413, "too_large", "65536 bytes"),
        ("/v1/endpoints/iris/records", "", auth, 400, "invalid_record", "no records"),
        ("/", b"{}", auth, 400, "invalid_event", "ce-specversion"),
    ]
    for path, body, headers, status, code, text in cases:
        got, _, answer = server.post(path, body, headers)
        assert (got, answer["error"]) == (status, code), (path, answer)
        assert text in answer["message"], answer
    # A v2 request whose tensor does not fit the endpoint's features, and one whose data does not fill its shape.
    headers = {**auth, "ce-specversion": "1.0", "ce-type": "org.kubeflow.serving.inference.request", "ce-inferenceservicename": "sklearn-iris-v2",
               "ce-namespace": "models"}
    wrong_width = {"inputs": [{"name": "input-0", "shape": [1, 3], "datatype": "FP32", "data": [1, 2, 3]}]}
    status, _, answer = server.post("/", json.dumps(wrong_width), {**headers, "ce-id": "w1"})
    assert status == 400 and answer["field"] == "inputs[0].shape" and "[n, 4]" in answer["message"]
    short = {"inputs": [{"name": "input-0", "shape": [2, 4], "datatype": "FP32", "data": [1, 2, 3, 4, 5]}]}
    status, _, answer = server.post("/", json.dumps(short), {**headers, "ce-id": "w2"})
    assert status == 400 and answer["field"] == "inputs[0]" and "holds 8 values" in answer["message"]
    status, _, answer = server.post("/", json.dumps({"inputs": [{"name": "input-0", "shape": [1, 4], "datatype": "FP32", "data": [1, 2, 3, 4]}]}),
                                    {**headers, "ce-id": "w3", "ce-type": "com.example.other"})
    assert status == 400 and answer["field"] == "ce-type"
    # The server keeps serving, and only the good records are in the log.
    assert server.request("GET", "/healthz")[0] == 200
    status, _, answer = server.post("/v1/endpoints/iris/records?sync=true", good, auth)
    assert (status, answer["accepted"]) == (200, 1)
    assert [r["request_id"] for r in inferences(tmp_path / "log", "iris")] == ["good-1"]
    assert server.metric("driftline_collect_requests_rejected_total", reason="too_large") == 1
    assert server.metric("driftline_collect_requests_rejected_total", reason="unauthorized") == 1


def test_a_full_buffer_answers_503_with_retry_after_and_drops_nothing(collector, tmp_path):
    server = collector("--buffer-bytes", "1024")
    accepted, refused, retry_after = [], [0], set()
    lock = threading.Lock()
    deadline = time.monotonic() + 30

    def sender(worker):
        n = 0
        while time.monotonic() < deadline and (refused[0] < 20 or len(accepted) < 2000):
            ids = [f"w{worker}-{n}-{i}" for i in range(20)]
            n += 1
            body = "\n".join(json.dumps({"features": [5.1, 3.5, 1.4, 0.2], "probabilities": [0.9, 0.05, 0.05], "request_id": rid}) for rid in ids)
            status, headers, answer = server.post("/v1/endpoints/iris/records", body)
            with lock:
                if status == 200:
                    accepted.extend(ids)
                else:
                    assert status == 503 and answer["error"] == "overloaded", (status, answer)
                    refused[0] += 1
                    retry_after.add(headers.get("retry-after"))

    threads = [threading.Thread(target=sender, args=(w,)) for w in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert refused[0] >= 1, "a 1 KiB buffer never filled"
    assert retry_after == {"1"}
    assert server.post("/v1/flush", b"")[0] == 200
    logged = [r["request_id"] for r in inferences(tmp_path / "log", "iris")]
    assert sorted(logged) == sorted(accepted)  # every accepted record once; nothing of a refused request
    assert server.metric("driftline_collect_overloaded_total", endpoint="iris") == refused[0]
    assert server.metric("driftline_collect_log_records", endpoint="iris", state="write_failed") == 0
    print(f"\n503 test: {len(accepted)} records accepted, {refused[0]} requests refused with 503")


def test_metrics_pass_promtool_and_health_endpoints_answer(collector, tmp_path):
    server = collector(pair_timeout="1s")
    server.post("/v1/endpoints/iris/records", json.dumps({"features": [1, 2, 3, 4], "probabilities": [1, 0, 0]}))
    server.post("/v1/endpoints/iris/records", "not json")
    server.post("/v1/endpoints/nope/records", "[]")
    server.event("m", "request", V1_REQUEST)
    text = server.metrics()
    for name in ["driftline_collect_records_accepted_total", "driftline_collect_requests_rejected_total",
                 "driftline_collect_request_bytes_total", "driftline_collect_pending_events", "driftline_collect_log_records",
                 "driftline_collect_events_duplicate_total"]:
        assert name in text, name
    promtool = shutil.which("promtool")
    assert promtool, "promtool is missing: run tools/setup (Debian's prometheus package)"
    check = subprocess.run([promtool, "check", "metrics"], input=text, capture_output=True, text=True)
    assert check.returncode == 0, check.stdout + check.stderr
    assert server.request("GET", "/healthz")[0] == 200
    assert server.request("GET", "/readyz")[2] == {"status": "ready"}


def test_sigterm_flushes_what_was_accepted_and_exits_0(collector, tmp_path):
    server = collector()
    body = "\n".join(json.dumps({"features": [5.0, 3.0, 1.5, 0.2], "probabilities": [0.8, 0.1, 0.1], "request_id": f"t{i}"}) for i in range(300))
    assert server.post("/v1/endpoints/iris/records", body)[2]["accepted"] == 300
    started = time.monotonic()
    code, stderr = server.stop(signal.SIGTERM)
    assert code == 0, stderr
    assert time.monotonic() - started < 10
    assert "logged 300, written 300, synced 300" in stderr
    assert len(inferences(tmp_path / "log", "iris")) == 300


def test_sigkill_and_restart_lose_nothing_acknowledged_as_durable(collector, tmp_path):
    server = collector()
    durable, stop = [], threading.Event()

    def sender():
        n = 0
        while not stop.is_set():
            ids = [f"k{n}-{i}" for i in range(50)]
            n += 1
            body = "\n".join(json.dumps({"features": [5.0, 3.0, 1.5, 0.2], "probabilities": [0.8, 0.1, 0.1], "request_id": rid}) for rid in ids)
            try:
                status, _, answer = server.post("/v1/endpoints/iris/records?sync=true", body)
            except OSError:
                time.sleep(0.05)  # the collector is down: this batch was never acknowledged
                continue
            if status == 200 and answer["durable"]:
                durable.extend(ids)

    thread = threading.Thread(target=sender)
    thread.start()
    for _ in range(3):
        time.sleep(1.5)
        before = len(durable)
        server.stop(signal.SIGKILL)
        server.start()  # same port, same writer id: the same partition, recovered
        assert before > 0
    time.sleep(1.0)
    stop.set()
    thread.join()
    logged = [r["request_id"] for r in inferences(tmp_path / "log", "iris")]
    missing = set(durable) - set(logged)
    assert not missing, f"{len(missing)} records acknowledged as durable are missing"
    assert len(logged) == len(set(logged)), "a record was written twice"
    print(f"\nkill test: {len(durable)} records acknowledged durable across 3 SIGKILLs, all in the log ({len(logged)} logged)")

"""A real `driftline collect` process for the tests: start it on a free loopback port, talk HTTP to it,
read the log back through `driftline inspect --json`."""
import http.client
import json
import os
import re
import signal
import subprocess
import threading
import time

from conftest import ROOT, bin_dir

FIXTURES = ROOT / "Tests" / "interop" / "fixtures" / "kserve"

CONFIG = """
collect:
  body_limit: {body_limit}
  pair_timeout: {pair_timeout}
  endpoints:
    iris:
      inference_service: sklearn-iris
      model_version: "1"
      features: [sepal_length, sepal_width, petal_length, petal_width]
      classes: [setosa, versicolor, virginica]
      output: class_index
    iris-v2:
      inference_service: sklearn-iris-v2
      namespace: models
      model_version: "v2.0"
      model_version_from: response
      features: [sepal_length, sepal_width, petal_length, petal_width]
      classes: [setosa, versicolor, virginica]
      input_tensor: input-0
      output_tensor: predict_proba
    price:
      model_version: "7"
      features: [rooms, city]
      categorical: [city]
"""


def write_config(folder, body_limit="64KiB", pair_timeout="30s", extra=""):
    path = folder / "pipeline.yaml"
    path.write_text(CONFIG.format(body_limit=body_limit, pair_timeout=pair_timeout) + extra)
    return path


class Collector:
    """One `driftline collect` process; `port` is what it bound."""

    def __init__(self, log, config, *args, writer_id="w", listen="127.0.0.1:0"):
        self.log, self.config, self.args, self.writer_id = log, config, list(args), writer_id
        self.listen = listen
        self.start()

    def start(self):
        command = [str(bin_dir() / "driftline"), "collect", "--log", str(self.log), "--config", str(self.config),
                   "--listen", self.listen, "--writer-id", self.writer_id, *self.args]
        self.process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        line = self.process.stdout.readline()
        match = re.search(r"listening on (\S+):(\d+),", line)
        assert match, f"collect did not start: {line!r} {self.process.stderr.read() if self.process.poll() is not None else ''}"
        self.port = int(match.group(2))
        self.listen = f"127.0.0.1:{self.port}"  # a restart binds the same port
        # Drain stdout so a chatty server never blocks on a full pipe.
        threading.Thread(target=self.process.stdout.read, daemon=True).start()

    def request(self, method, path, body=b"", headers=None, timeout=30):
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=timeout)
        try:
            if isinstance(body, str):
                body = body.encode()
            connection.request(method, path, body=body, headers=headers or {})
            response = connection.getresponse()
            text = response.read().decode()
            try:
                payload = json.loads(text) if text.strip() else None
            except ValueError:
                payload = text
            return response.status, {k.lower(): v for k, v in response.getheaders()}, payload
        finally:
            connection.close()

    def post(self, path, body, headers=None):
        return self.request("POST", path, body, headers)

    def event(self, ce_id, half, body, service="sklearn-iris", namespace="default", component="predictor", time="2026-01-15T08:00:00Z", path="/"):
        headers = {
            "ce-specversion": "1.0", "ce-id": ce_id, "ce-source": "http://localhost:9081/",
            "ce-type": f"org.kubeflow.serving.inference.{half}", "ce-time": time,
            "ce-inferenceservicename": service, "ce-namespace": namespace, "ce-component": component, "ce-endpoint": "default",
            "content-type": "application/json",
        }
        return self.post(path, body, headers)

    def metrics(self):
        status, _, text = self.request("GET", "/metrics")
        assert status == 200
        return text

    def metric(self, name, **labels):
        """The sum of the samples of `name` whose labels include `labels`."""
        total = 0.0
        for line in self.metrics().splitlines():
            if not line.startswith(name) or line.startswith("#"):
                continue
            head, value = line.rsplit(" ", 1)
            series = head[len(name):]
            if series and not series.startswith("{"):
                continue
            found = dict(re.findall(r'(\w+)="([^"]*)"', series))
            if all(found.get(k) == v for k, v in labels.items()):
                total += float(value)
        return total

    def stop(self, sig=signal.SIGTERM, timeout=20):
        if self.process.poll() is None:
            self.process.send_signal(sig)
        try:
            self.process.wait(timeout)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        return self.process.returncode, self.process.stderr.read()


def inspect(log, endpoint=None):
    """Every inference and label in the log, as `driftline inspect --json` prints them."""
    args = [str(bin_dir() / "driftline"), "inspect", "--log", str(log), "--json"]
    if endpoint:
        args += ["--endpoint", endpoint]
    proc = subprocess.run(args, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    lines = [json.loads(line) for line in proc.stdout.splitlines() if line.strip()]
    assert not [l for l in lines if l["type"] in ("corruption", "gap")], lines
    return [l for l in lines if l["type"] in ("inference", "label")]


def fixture(name):
    return (FIXTURES / name).read_bytes()

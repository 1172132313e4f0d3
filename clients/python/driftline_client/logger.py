"""DriftlineLogger: a non-blocking, batching client for `driftline collect`."""
from __future__ import annotations

import atexit
import http.client
import json
import random
import threading
import time
import urllib.parse
import weakref
from collections import deque
from dataclasses import dataclass
from typing import Any, Deque, Dict, List, Mapping, Optional, Sequence, Tuple, Union

Number = Union[int, float]
FeatureValue = Union[Number, str, None]
Features = Union[Mapping[str, FeatureValue], Sequence[FeatureValue]]
Probabilities = Union[Mapping[str, Number], Sequence[Number]]


@dataclass
class LoggerStats:
    """Counters since the logger started (read `DriftlineLogger.stats`)."""

    #: Records and labels handed to `log` / `log_label` and queued.
    queued: int = 0
    #: Dropped because the queue was full (the collector is down or slower than the traffic).
    dropped: int = 0
    #: Accepted by the collector (answered 2xx, or listed as accepted in a 400).
    accepted: int = 0
    #: Refused by the collector as invalid (its 400 answer names the field); not retried.
    rejected: int = 0
    #: Batches sent again after a 503, a 5xx or a connection failure.
    retries: int = 0
    #: Records given up on: the collector refused the whole request (401, 403, 404, a single record over its
    #: body limit) or the logger closed before they could be delivered. (A batch over the limit is split.)
    failed: int = 0
    #: The last problem the collector or the network reported.
    last_error: Optional[str] = None


class DriftlineLogger:
    """Logs inferences and labels of one endpoint to a `driftline collect` server.

    `log` and `log_label` never block on the network: they append to a bounded in-memory queue and return
    (when the queue is full the record is dropped and counted in ``stats.dropped``). A background thread
    sends the queue in batches of up to ``batch_size`` records as JSON lines to
    ``POST {url}/v1/endpoints/{endpoint}/records`` (labels to ``/labels``), retries a ``503`` after its
    ``Retry-After`` and connection failures with exponential backoff, and counts records the collector
    refuses. At interpreter exit the queue is flushed (for at most ``exit_timeout`` seconds).

    The delivery guarantee is the collector's: a record is in the log's buffer once its batch was answered
    2xx; it is on disk (fsynced) once ``flush()`` has returned True. With ``sync=True`` every batch is answered
    only once fsynced, so ``stats.accepted`` counts durable records (a batch whose answer was lost is sent
    again: at least once).
    """

    def __init__(
        self,
        url: str,
        endpoint: str,
        *,
        token: Optional[str] = None,
        batch_size: int = 500,
        flush_interval: float = 0.2,
        max_queue: int = 100_000,
        timeout: float = 10.0,
        max_backoff: float = 5.0,
        exit_timeout: float = 10.0,
        sync: bool = False,
    ) -> None:
        parsed = urllib.parse.urlsplit(url)
        if parsed.scheme not in ("http", "https") or not parsed.hostname:
            raise ValueError(f"url {url!r}: expected http://host:port of a `driftline collect` server")
        if not endpoint or "/" in endpoint:
            raise ValueError(f"endpoint {endpoint!r}: expected an endpoint name of the collector's pipeline file")
        if batch_size < 1 or max_queue < 1:
            raise ValueError("batch_size and max_queue must be at least 1")
        self.url = url.rstrip("/")
        self.endpoint = endpoint
        self.batch_size = batch_size
        self.flush_interval = flush_interval
        self.max_queue = max_queue
        self.timeout = timeout
        self.max_backoff = max_backoff
        self.exit_timeout = exit_timeout
        self.sync = sync
        self.stats = LoggerStats()
        self._scheme = parsed.scheme
        self._host = parsed.hostname
        self._port = parsed.port or (443 if parsed.scheme == "https" else 80)
        self._base_path = parsed.path.rstrip("/")
        self._headers = {"Content-Type": "application/x-ndjson"}
        if token:
            self._headers["Authorization"] = f"Bearer {token}"
        # (kind, record, sequence number); kind is "records" or "labels".
        self._queue: Deque[Tuple[str, Dict[str, Any], int]] = deque()
        self._lock = threading.Lock()
        self._wake = threading.Condition(self._lock)
        self._queued_seq = 0  # sequence number of the last queued record
        self._done_seq = 0  # every record up to this one was answered (accepted, rejected or failed)
        self._closing = False
        self._connection: Optional[http.client.HTTPConnection] = None
        self._thread = threading.Thread(target=self._run, name=f"driftline-{endpoint}", daemon=True)
        self._thread.start()
        ref = weakref.ref(self)
        atexit.register(lambda: (lambda logger: logger.close() if logger is not None else None)(ref()))

    # ------------------------------------------------------------------ logging (caller threads)

    def log(
        self,
        features: Features,
        probabilities: Optional[Probabilities] = None,
        *,
        prediction: Optional[Union[Number, str]] = None,
        error: Optional[str] = None,
        request_id: Optional[str] = None,
        latency_ms: Optional[float] = None,
        event_time: Optional[float] = None,
        label: Optional[Union[str, Number]] = None,
        model_version: Optional[str] = None,
    ) -> bool:
        """Queues one inference; returns False (and counts it) when the queue is full.

        features: values by feature name, or a sequence in the model's order (None is missing).
        probabilities: one per class, in class order or by class name; or ``prediction`` (a number for a
        regression, a class name for a classifier), or ``error`` (a short error code).
        event_time: epoch seconds (default: now). Validation happens in the collector, which answers which
        field of which record is wrong (counted in ``stats.rejected``).
        """
        record: Dict[str, Any] = {"features": _plain(features)}
        if probabilities is not None:
            record["probabilities"] = _plain(probabilities)
        elif prediction is not None:
            record["prediction"] = _plain(prediction)
        elif error is not None:
            record["error"] = error
        if request_id is not None:
            record["request_id"] = str(request_id)
        if latency_ms is not None:
            record["latency_ms"] = float(latency_ms)
        record["event_time"] = time.time() if event_time is None else float(event_time)
        if label is not None:
            record["label"] = _plain(label)
        if model_version is not None:
            record["model_version"] = str(model_version)
        return self._put("records", record)

    def log_label(self, request_id: str, label: Union[str, Number], *, event_time: Optional[float] = None) -> bool:
        """Queues the true label of an earlier inference; returns False when the queue is full."""
        record = {"request_id": str(request_id), "label": _plain(label), "event_time": time.time() if event_time is None else float(event_time)}
        return self._put("labels", record)

    def _put(self, kind: str, record: Dict[str, Any]) -> bool:
        with self._lock:
            if self._closing or len(self._queue) >= self.max_queue:
                self.stats.dropped += 1
                return False
            self._queued_seq += 1
            self._queue.append((kind, record, self._queued_seq))
            self.stats.queued += 1
            if len(self._queue) >= self.batch_size:
                self._wake.notify()
        return True

    # ------------------------------------------------------------------ flush and close

    def flush(self, timeout: Optional[float] = None) -> bool:
        """Waits until every record queued before the call was answered, then asks the collector to fsync.

        Returns True when all of them were answered and the collector confirmed they are durable (records it
        refused are counted in ``stats``, not retried); False on timeout or when the collector cannot be reached.
        """
        deadline = None if timeout is None else time.monotonic() + timeout
        with self._lock:
            target = self._queued_seq
            self._wake.notify()
            while self._done_seq < target:
                remaining = None if deadline is None else deadline - time.monotonic()
                if remaining is not None and remaining <= 0:
                    return False
                if not self._thread.is_alive():
                    return False
                self._wake.wait(0.05 if remaining is None else min(0.05, remaining))
        remaining = None if deadline is None else max(0.001, deadline - time.monotonic())
        try:
            status, _, _ = self._request("POST", "/v1/flush", b"", timeout=remaining)
        except OSError as problem:
            self.stats.last_error = f"flush: {problem}"
            return False
        return status == 200

    def close(self, timeout: Optional[float] = None) -> None:
        """Sends what is queued (for at most ``timeout`` seconds, default ``exit_timeout``) and stops the thread."""
        with self._lock:
            if self._closing:
                return
        self.flush(self.exit_timeout if timeout is None else timeout)
        with self._lock:
            self._closing = True
            self._wake.notify_all()
        self._thread.join(1.0)

    def __enter__(self) -> "DriftlineLogger":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # ------------------------------------------------------------------ the sending thread

    def _run(self) -> None:
        while True:
            with self._lock:
                if not self._queue and not self._closing:
                    self._wake.wait(self.flush_interval)
                if self._closing and not self._queue:
                    return
                batch: List[Tuple[str, Dict[str, Any], int]] = []
                kind = self._queue[0][0] if self._queue else "records"
                while self._queue and len(batch) < self.batch_size and self._queue[0][0] == kind:
                    batch.append(self._queue.popleft())
            if not batch:
                continue
            try:
                self._deliver(kind, batch)
            except Exception as problem:  # never let the thread die: count and go on
                self.stats.failed += len(batch)
                self.stats.last_error = f"send failed: {problem!r}"
            with self._lock:
                self._done_seq = max(self._done_seq, batch[-1][2])
                self._wake.notify_all()

    def _deliver(self, kind: str, batch: List[Tuple[str, Dict[str, Any], int]]) -> None:
        lines = []
        for _, record, _ in batch:
            try:
                lines.append(json.dumps(record, separators=(",", ":"), allow_nan=False, default=_default))
            except (TypeError, ValueError) as problem:  # infinity, an object JSON cannot carry
                self.stats.rejected += 1
                self.stats.last_error = f"record not sent: {problem}"
        if not lines:
            return
        batch_size = len(lines)
        body = "\n".join(lines).encode()
        path = f"/v1/endpoints/{urllib.parse.quote(self.endpoint, safe='')}/{kind}" + ("?sync=true" if self.sync else "")
        backoff = 0.05
        while True:
            try:
                status, headers, answer = self._request("POST", path, body, timeout=self.timeout)
            except (OSError, http.client.HTTPException) as problem:
                status, headers, answer = 0, {}, str(problem).encode()
            if 200 <= status < 300:
                self.stats.accepted += batch_size
                return
            if status == 400:
                self._count_rejections(answer, batch_size)
                return
            if status == 413 and len(batch) > 1:
                # Larger than the collector's body limit: send it in two halves.
                half = len(batch) // 2
                self._deliver(kind, batch[:half])
                self._deliver(kind, batch[half:])
                return
            if status in (401, 403, 404, 413, 415) or (400 <= status < 500 and status != 429):
                self.stats.failed += batch_size
                self.stats.last_error = f"HTTP {status}: {answer[:300].decode(errors='replace')}"
                return
            # 503, 429, 5xx or no answer: wait and send the same batch again, unless closing and out of time.
            self.stats.retries += 1
            self.stats.last_error = f"HTTP {status}: {answer[:300].decode(errors='replace')}" if status else f"connection: {answer.decode(errors='replace')}"
            with self._lock:
                closing = self._closing
            if closing:
                self.stats.failed += batch_size
                return
            delay = backoff
            retry_after = headers.get("retry-after")
            if retry_after is not None:
                try:
                    delay = max(delay, float(retry_after))
                except ValueError:
                    pass
            time.sleep(min(self.max_backoff, delay) * (0.5 + random.random()))
            backoff = min(self.max_backoff, backoff * 2)

    def _count_rejections(self, answer: bytes, count: int) -> None:
        try:
            parsed = json.loads(answer)
            accepted = int(parsed.get("accepted", 0))
            problems = parsed.get("rejected") or []
        except (ValueError, AttributeError, TypeError):
            accepted, problems = 0, []
        self.stats.accepted += accepted
        self.stats.rejected += count - accepted
        if problems:
            first = problems[0]
            self.stats.last_error = f"record refused: {first.get('message', first)}"
        else:
            self.stats.last_error = f"batch refused: {answer[:300].decode(errors='replace')}"

    def _request(self, method: str, path: str, body: bytes, timeout: Optional[float]) -> Tuple[int, Dict[str, str], bytes]:
        """One request on the thread's keep-alive connection (a flush from another thread opens its own)."""
        own = threading.current_thread() is self._thread
        connection = self._connection if own else None
        for attempt in range(2):
            if connection is None:
                factory = http.client.HTTPSConnection if self._scheme == "https" else http.client.HTTPConnection
                connection = factory(self._host, self._port, timeout=timeout)
                if own:
                    self._connection = connection
            try:
                connection.timeout = timeout
                if connection.sock is not None:
                    connection.sock.settimeout(timeout)
                connection.request(method, self._base_path + path, body=body, headers=self._headers)
                response = connection.getresponse()
                answer = response.read()
                headers = {k.lower(): v for k, v in response.getheaders()}
                if not own:
                    connection.close()
                return response.status, headers, answer
            except (OSError, http.client.HTTPException):
                connection.close()
                connection = None
                if own:
                    self._connection = None
                if attempt == 1:
                    raise
        raise OSError("unreachable")


def _plain(value: Any) -> Any:
    """numpy arrays and scalars as lists and numbers; mappings and sequences as JSON-ready values."""
    if hasattr(value, "tolist"):
        return value.tolist()
    if isinstance(value, Mapping):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if isinstance(value, float) and value != value:
        return None  # NaN: a missing value
    return value


def _default(value: Any) -> Any:
    if hasattr(value, "tolist"):
        return value.tolist()
    if hasattr(value, "item"):
        return value.item()
    raise TypeError(f"cannot send {type(value).__name__} to the collector: pass numbers, strings or None")

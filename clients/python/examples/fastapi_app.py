"""A FastAPI model server that logs every inference to `driftline collect` with DriftlineLogger.

    DRIFTLINE_URL=http://127.0.0.1:8480 DRIFTLINE_ENDPOINT=iris uvicorn fastapi_app:app --port 8000
    curl -X POST localhost:8000/predict -H 'content-type: application/json' \
         -d '{"id": "r1", "features": [5.1, 3.5, 1.4, 0.2]}'
    curl -X POST localhost:8000/label -H 'content-type: application/json' -d '{"id": "r1", "label": "setosa"}'

The model is a small fixed softmax regression (what matters here is the logging). `GET /stats` reports how
long the `logger.log(...)` calls took inside the request handlers (the latency logging adds to a request)
and the logger's counters.
"""
from __future__ import annotations

import math
import os
import threading
import time
import uuid
from contextlib import asynccontextmanager
from typing import List, Optional

from fastapi import FastAPI, HTTPException
from pydantic import BaseModel

from driftline_client import DriftlineLogger

CLASSES = ["setosa", "versicolor", "virginica"]
FEATURES = ["sepal_length", "sepal_width", "petal_length", "petal_width"]
WEIGHTS = [[0.42, 0.97, -2.40, -1.06], [0.53, -0.32, -0.21, -0.80], [-0.95, -0.65, 2.61, 1.86]]
BIASES = [9.8, 2.2, -12.0]

logger = DriftlineLogger(os.environ.get("DRIFTLINE_URL", "http://127.0.0.1:8480"), os.environ.get("DRIFTLINE_ENDPOINT", "iris"),
                         token=os.environ.get("DRIFTLINE_TOKEN") or None, sync=os.environ.get("DRIFTLINE_SYNC") == "1")
log_seconds: List[float] = []
log_lock = threading.Lock()


@asynccontextmanager
async def lifespan(_: FastAPI):
    yield
    logger.close()  # send what is queued before the server exits


app = FastAPI(lifespan=lifespan)


class PredictRequest(BaseModel):
    features: List[float]
    id: Optional[str] = None


class LabelRequest(BaseModel):
    id: str
    label: str


def predict_proba(x: List[float]) -> List[float]:
    scores = [b + sum(w * v for w, v in zip(row, x)) for row, b in zip(WEIGHTS, BIASES)]
    top = max(scores)
    weights = [math.exp(s - top) for s in scores]
    total = sum(weights)
    return [w / total for w in weights]


@app.post("/predict")
def predict(request: PredictRequest) -> dict:
    started = time.perf_counter()
    if len(request.features) != len(FEATURES):
        raise HTTPException(400, f"features: expected {len(FEATURES)} values ({', '.join(FEATURES)})")
    probabilities = predict_proba(request.features)
    request_id = request.id or uuid.uuid4().hex
    latency_ms = (time.perf_counter() - started) * 1000
    before = time.perf_counter()
    logger.log(features=request.features, probabilities=probabilities, request_id=request_id, latency_ms=latency_ms)
    spent = time.perf_counter() - before
    with log_lock:
        log_seconds.append(spent)
    best = max(range(len(CLASSES)), key=lambda k: probabilities[k])
    return {"id": request_id, "class": CLASSES[best], "probabilities": probabilities}


@app.post("/label")
def label(request: LabelRequest) -> dict:
    logger.log_label(request.id, request.label)
    return {"accepted": 1}


@app.get("/stats")
def stats() -> dict:
    with log_lock:
        samples = sorted(log_seconds)
    def quantile(q: float) -> float:
        return samples[min(len(samples) - 1, int(q * len(samples)))] * 1e6 if samples else 0.0
    s = logger.stats
    return {"log_calls": len(samples), "log_p50_us": quantile(0.5), "log_p99_us": quantile(0.99), "log_max_us": samples[-1] * 1e6 if samples else 0.0,
            "queued": s.queued, "dropped": s.dropped, "accepted": s.accepted, "rejected": s.rejected, "retries": s.retries, "failed": s.failed}


@app.post("/flush")
def flush() -> dict:
    return {"durable": logger.flush(timeout=30)}

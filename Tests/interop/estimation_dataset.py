"""The label-free estimate (README "Estimated accuracy") recomputed from raw rows with numpy and scikit-learn,
and the generated data of its acceptance test (Tests/interop/test_estimation.py).

The calibration map of REFERENCE.md: per reference bin of a probability column, the labelled rows and how
many had the event; scikit-learn's IsotonicRegression over the non-empty bins (weighted by their rows); an
empty bin takes the value of the nearest non-empty bin below it (the first non-empty bin's when none is)."""
import numpy as np
from sklearn.isotonic import IsotonicRegression

HOUR_S = 3600
T0_S = 1_795_132_800  # 2026-11-20T00:00:00Z
BINS = 20
BAND = 3.0


def reference_edges(values, bins=BINS, extra=None):
    values = values[np.isfinite(values)]
    edges = []
    for i in range(1, bins):
        e = float(np.quantile(values, i / bins))
        if not edges or edges[-1] != e:
            edges.append(e)
    if extra is not None and extra not in edges:
        edges.append(float(extra))
        edges.sort()
    return np.array(edges)


def bin_index(values, edges):
    return np.searchsorted(edges, values, side="right")


def calibration_map(values, events, edges):
    """(labelled rows per bin, events per bin, calibrated probability per bin)."""
    keep = np.isfinite(values)
    b = bin_index(values[keep], edges)
    labeled = np.bincount(b, minlength=len(edges) + 1).astype(float)
    hits = np.bincount(b, weights=np.asarray(events)[keep].astype(float), minlength=len(edges) + 1)
    nonempty = np.flatnonzero(labeled)
    fitted = IsotonicRegression(increasing=True).fit(nonempty, hits[nonempty] / labeled[nonempty],
                                                     sample_weight=labeled[nonempty]).predict(nonempty)
    q = np.empty(len(labeled))
    for i in range(len(labeled)):
        below = nonempty[nonempty <= i]
        q[i] = fitted[len(below) - 1] if len(below) else fitted[0]
    return labeled, hits, q


def top_label_estimate(counts, q):
    return float((counts * q).sum() / counts.sum())


def binary_estimate(counts, q, first_positive):
    pos = np.arange(len(counts)) >= first_positive
    tp = (counts * q)[pos].sum()
    fp = (counts * (1 - q))[pos].sum()
    fn = (counts * q)[~pos].sum()
    tn = (counts * (1 - q))[~pos].sum()
    n = counts.sum()
    div = lambda a, b: a / b if b > 0 else 0.0
    return {"accuracy": (tp + tn) / n, "precision": div(tp, tp + fp), "recall": div(tp, tp + fn),
            "f1": div(2 * tp, 2 * tp + fp + fn)}


def softmax(z):
    z = z - z.max(axis=1, keepdims=True)
    e = np.exp(z)
    return e / e.sum(axis=1, keepdims=True)


class Model:
    """A classifier over 4 numeric features x ~ N(mu, I): true P(y | x) = softmax(W x + b) (binary: 2 classes).
    The model reports softmax((W x + b) · sharpen): sharpen = 1 is calibrated, > 1 pushes probabilities toward
    0 and 1 (over-confident), as a temperature would."""

    def __init__(self, name, classes, sharpen, seed):
        rng = np.random.default_rng(seed)
        self.name, self.classes, self.sharpen = name, classes, sharpen
        k = len(classes)
        self.w = rng.normal(0, 0.9, (k, 4))
        self.b = rng.normal(0, 0.3, k)

    def rows(self, rng, n, shift=0.0):
        x = rng.normal(0, 1, (n, 4))
        x[:, 0] += shift
        x[:, 1] += shift / 2
        logits = x @ self.w.T + self.b
        truth = softmax(logits)
        u = rng.random(n)[:, None]
        y = (u > np.cumsum(truth, axis=1)).sum(axis=1)
        y = np.minimum(y, len(self.classes) - 1)
        proba = softmax(logits * self.sharpen)
        return x, proba, y

    def predict(self, proba, threshold=0.5):
        if len(self.classes) == 2:
            return (proba[:, 1] >= threshold).astype(int)
        return np.argmax(proba, axis=1)

"""The demo's shipped data against scikit-learn: iris.csv is Fisher's data, iris-train.csv is scored by the same models."""
import pathlib

import numpy as np
import pandas as pd
from sklearn.datasets import load_iris
from sklearn.linear_model import LinearRegression, LogisticRegression

ROOT = pathlib.Path(__file__).resolve().parents[2]
FEATURES = ["sepal_length", "sepal_width", "petal_length", "petal_width"]


def test_iris_csv_is_fishers_data():
    iris = load_iris()
    shipped = pd.read_csv(ROOT / "pipelines/demo/iris.csv")
    assert list(shipped.columns) == FEATURES + ["species"]
    np.testing.assert_allclose(shipped[FEATURES].to_numpy(), iris.data, atol=1e-9)
    assert list(shipped["species"]) == [str(iris.target_names[t]) for t in iris.target]


def test_training_csv_is_scored_by_the_sklearn_models():
    iris = load_iris()
    X, y = iris.data, iris.target
    train = pd.read_csv(ROOT / "pipelines/demo/iris-train.csv")
    assert len(train) == 1000
    x = train[FEATURES].to_numpy()
    classes = [str(c) for c in iris.target_names]
    for prefix, used, minimum, maximum in [("good", [0, 1, 2, 3], 0.9, 1.0), ("fair", [0, 1], 0.65, 0.9), ("poor", [1], 0.4, 0.65)]:
        model = LogisticRegression(C=1.0, max_iter=1000).fit(X[:, used], y)
        expected = model.predict_proba(x[:, used])
        np.testing.assert_allclose(train[[f"{prefix}_{c}" for c in classes]].to_numpy(), expected, atol=2e-4)
        assert list(train[f"{prefix}_prediction"]) == [classes[k] for k in expected.argmax(1)]
        accuracy = (train[f"{prefix}_prediction"] == train["species"]).mean()
        assert minimum < accuracy < maximum, (prefix, accuracy)
    regression = LinearRegression().fit(X[:, :3], X[:, 3])
    np.testing.assert_allclose(train["petal_width_prediction"], regression.predict(x[:, :3]), atol=2e-4)
    # An even species mix, like production before the drift.
    shares = train["species"].value_counts(normalize=True)
    assert all(abs(shares[c] - 1 / 3) < 0.05 for c in classes)


def test_serving_model_json_is_the_good_model():
    import json
    iris = load_iris()
    model = json.loads((ROOT / "pipelines/serving-example/model.json").read_text())
    fitted = LogisticRegression(C=1.0, max_iter=1000).fit(iris.data, iris.target)
    np.testing.assert_allclose(np.array(model["coefficients"]), fitted.coef_, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(np.array(model["intercepts"]), fitted.intercept_, rtol=1e-5, atol=1e-6)

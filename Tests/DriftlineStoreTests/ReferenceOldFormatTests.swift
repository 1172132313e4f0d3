import DriftlineCore
import Testing
@testable import DriftlineStore

/// Reference files written before the reference codec moved onto DriftlineCore's `JSONValue` (by
/// `driftline profile` of that time, CanonicalJSON writing and Foundation's JSONDecoder reading): they
/// still load, keep their `reference_id`, and are written back to the same bytes.
@Suite struct ReferenceOldFormatTests {
    /// Format version 1: a regression model, a missing value, `-0.0`, a tiny and a huge value (`1e-07`, `2.5e+17`).
    static let versionOne = #"""
        {
          "format": "driftline-reference",
          "format_version": 1,
          "reference_id": "d9fdd5166e81bc18",
          "endpoint": "fixture",
          "model_version": "0",
          "created_at": "2026-12-02T21:13:32.682580Z",
          "bin_count": 3,
          "task": {
            "kind": "regression"
          },
          "columns": [
            {
              "name": "x",
              "kind": "numeric",
              "count": 5,
              "missing_count": 1,
              "min": 0.0,
              "max": 2.5e+17,
              "mean": 5e+16,
              "m2": 5e+34,
              "p05": 0.0,
              "p25": 1e-07,
              "p50": 1.5,
              "p75": 3.0,
              "p95": 2.5e+17,
              "edges": [0.5000000666666665, 2.5],
              "histogram": [2, 1, 2],
              "sketch": "BQEPAMgACAAFAAAAAAAAAMgAAQDDAAAAAAAAAAAAAIAAyE5nbcGLQwAAAAAAAACAAMhOZ23Bi0NIr7ya8td6PgAAAAAAAAhAAAAAAAAA+D8="
            },
            {
              "name": "region",
              "kind": "categorical",
              "count": 5,
              "missing_count": 1,
              "categories": ["eu", "us"],
              "category_counts": [3, 2]
            },
            {
              "name": ":prediction",
              "kind": "numeric",
              "count": 6,
              "missing_count": 0,
              "min": 1.0,
              "max": 4.0,
              "mean": 2.25,
              "m2": 7.875,
              "p05": 1.0,
              "p25": 1.0,
              "p50": 2.0,
              "p75": 3.5,
              "p95": 4.0,
              "edges": [1.6666666666666665, 2.4999999999999996],
              "histogram": [2, 2, 2],
              "sketch": "BQEPAMgACAAGAAAAAAAAAMgAAQDCAAAAAAAAAAAA8D8AAAAAAAAQQAAAAAAAAPA/AAAAAAAAAEAAAAAAAAAQQAAAAAAAAPA/AAAAAAAADEAAAAAAAAAAQA=="
            },
            {
              "name": ":error",
              "kind": "categorical",
              "count": 6,
              "missing_count": 0,
              "categories": ["ok"],
              "category_counts": [6]
            },
            {
              "name": ":label",
              "kind": "numeric",
              "count": 0,
              "missing_count": 0,
              "min": null,
              "max": null,
              "mean": null,
              "m2": null,
              "p05": null,
              "p25": null,
              "p50": null,
              "p75": null,
              "p95": null,
              "edges": null,
              "histogram": null,
              "sketch": "AgEPAcgACAA="
            },
            {
              "name": ":residual",
              "kind": "numeric",
              "count": 0,
              "missing_count": 0,
              "min": null,
              "max": null,
              "mean": null,
              "m2": null,
              "p05": null,
              "p25": null,
              "p50": null,
              "p75": null,
              "p95": null,
              "edges": null,
              "histogram": null,
              "sketch": "AgEPAcgACAA="
            },
            {
              "name": ":abs_residual",
              "kind": "numeric",
              "count": 0,
              "missing_count": 0,
              "min": null,
              "max": null,
              "mean": null,
              "m2": null,
              "p05": null,
              "p25": null,
              "p50": null,
              "p75": null,
              "p95": null,
              "edges": null,
              "histogram": null,
              "sketch": "AgEPAcgACAA="
            }
          ]
        }

        """#

    /// Format version 2: a binary classifier with calibration maps; categories with `/`, `"` and `é`.
    static let versionTwo = #"""
        {
          "format": "driftline-reference",
          "format_version": 2,
          "reference_id": "3c8a68950d5af32f",
          "endpoint": "fixture",
          "model_version": "1",
          "created_at": "2026-12-02T21:13:23.495895Z",
          "bin_count": 4,
          "task": {
            "kind": "classification",
            "classes": ["no", "yes"],
            "threshold": 0.5
          },
          "columns": [
            {
              "name": "x",
              "kind": "numeric",
              "count": 16,
              "missing_count": 0,
              "min": -0.657,
              "max": 87.639,
              "mean": 38.4086875,
              "m2": 13245.090357437499,
              "p05": -0.657,
              "p25": 13.363,
              "p50": 45.967,
              "p75": 61.823,
              "p95": 87.639,
              "edges": [11.77225, 40.851, 59.17475],
              "histogram": [4, 4, 4, 4],
              "sketch": "BQEPAMgACAAQAAAAAAAAAMgAAQC4AAAAoBov3SQG5b83iUFg5ehVQDeJQWDl6FVAXI/C9SgcR0DP91PjpZvyP0w3iUFgJU1AObTIdr4fEkD0/dR46WZSQLTIdr6folVAYOXQItu5KkAlBoGVQ0tHQLKd76fG+0ZAAAAAAAAAHEBOYhBYOXQ4QKAaL90kBuW/001iEFjpTkCuR+F6FN5BQBKDwMqhRTZA"
            },
            {
              "name": "region",
              "kind": "categorical",
              "count": 16,
              "missing_count": 0,
              "categories": ["eu/west", "apac-é", "us \"east\""],
              "category_counts": [6, 5, 5]
            },
            {
              "name": ":prediction",
              "kind": "categorical",
              "count": 16,
              "missing_count": 0,
              "categories": ["yes", "no"],
              "category_counts": [13, 3]
            },
            {
              "name": ":proba:no",
              "kind": "numeric",
              "count": 16,
              "missing_count": 0,
              "min": 0.0,
              "max": 0.93,
              "mean": 0.37875000000000003,
              "m2": 0.9181749999999999,
              "p05": 0.0,
              "p25": 0.24,
              "p50": 0.36,
              "p75": 0.48,
              "p95": 0.93,
              "edges": [0.22, 0.345, 0.465],
              "histogram": [4, 4, 4, 4],
              "sketch": "BQEPAMgACAAQAAAAAAAAAMgAAQC4AAAAAAAAAAAAAADD9Shcj8LtP4/C9Shcj9I/7FG4HoXr0T+kcD0K16PAP2ZmZmZmZuY/uB6F61G4zj8fhetRuB7VP7gehetRuN4/rkfhehSu1z8K16NwPQrXP3sUrkfhesQ/AAAAAAAAAACkcD0K16PoP3sUrkfhesQ/w/UoXI/C7T+amZmZmZnZP3E9CtejcN0/",
              "calibration": {
                "labeled": [4, 4, 4, 4],
                "events": [0, 0, 0, 3]
              }
            },
            {
              "name": ":proba:yes",
              "kind": "numeric",
              "count": 16,
              "missing_count": 0,
              "min": 0.07,
              "max": 1.0,
              "mean": 0.62125,
              "m2": 0.918175,
              "p05": 0.07,
              "p25": 0.54,
              "p50": 0.67,
              "p75": 0.84,
              "p95": 1.0,
              "edges": [0.5, 0.535, 0.655, 0.78],
              "histogram": [3, 1, 4, 4, 4],
              "sketch": "BQEPAMgACAAQAAAAAAAAAMgAAQC4AAAA7FG4HoXrsT8AAAAAAADwP7gehetRuOY/CtejcD0K5z/Xo3A9CtfrPzMzMzMzM9M/UrgehetR6D9xPQrXo3DlP6RwPQrXo+A/KVyPwvUo5D97FK5H4XrkP+F6FK5H4eo/AAAAAAAA8D9xPQrXo3DNP+F6FK5H4eo/7FG4HoXrsT8zMzMzMzPjP0jhehSuR+E/",
              "calibration": {
                "labeled": [3, 1, 4, 4, 4],
                "events": [0, 1, 4, 4, 4]
              }
            },
            {
              "name": ":pred1",
              "kind": "numeric",
              "count": 16,
              "missing_count": 0,
              "min": 0.52,
              "max": 1.0,
              "mean": 0.73375,
              "m2": 0.27917500000000006,
              "p05": 0.52,
              "p25": 0.64,
              "p50": 0.72,
              "p75": 0.84,
              "p95": 1.0,
              "edges": [0.6375, 0.715, 0.84],
              "histogram": [4, 4, 3, 5],
              "sketch": "BQEPAMgACAAQAAAAAAAAAMgAAQC4AAAApHA9Ctej4D8AAAAAAADwP7gehetRuOY/CtejcD0K5z/Xo3A9CtfrP2ZmZmZmZuY/UrgehetR6D9xPQrXo3DlP6RwPQrXo+A/KVyPwvUo5D97FK5H4XrkP+F6FK5H4eo/AAAAAAAA8D+kcD0K16PoP+F6FK5H4eo/w/UoXI/C7T8zMzMzMzPjP0jhehSuR+E/",
              "calibration": {
                "labeled": [4, 4, 3, 5],
                "events": [4, 4, 3, 5]
              }
            },
            {
              "name": ":spread12",
              "kind": "numeric",
              "count": 16,
              "missing_count": 0,
              "min": 0.040000000000000036,
              "max": 1.0,
              "mean": 0.4675000000000001,
              "m2": 1.1167,
              "p05": 0.040000000000000036,
              "p25": 0.28,
              "p50": 0.43999999999999995,
              "p75": 0.6799999999999999,
              "p95": 1.0,
              "edges": [0.275, 0.42999999999999994, 0.6799999999999999],
              "histogram": [4, 4, 3, 5],
              "sketch": "BQEPAMgACAAQAAAAAAAAAMgAAQC4AAAAgBSuR+F6pD8AAAAAAADwP+F6FK5H4do/KFyPwvUo3D+uR+F6FK7nP5mZmZmZmdk/pHA9Ctej4D/D9Shcj8LVP4AUrkfheqQ/pHA9Ctej0D/sUbgehevRP8L1KFyPwuU/AAAAAAAA8D9I4XoUrkfhP8L1KFyPwuU/hutRuB6F6z+YmZmZmZnJP3wUrkfherQ/"
            },
            {
              "name": ":error",
              "kind": "categorical",
              "count": 16,
              "missing_count": 0,
              "categories": ["ok"],
              "category_counts": [16]
            },
            {
              "name": ":label",
              "kind": "categorical",
              "count": 16,
              "missing_count": 0,
              "categories": ["yes", "no"],
              "category_counts": [13, 3]
            },
            {
              "name": ":confusion",
              "kind": "categorical",
              "count": 16,
              "missing_count": 0,
              "categories": ["yes|yes", "no|no"],
              "category_counts": [13, 3]
            }
          ]
        }

        """#

    @Test(arguments: [(versionOne, "d9fdd5166e81bc18", 1), (versionTwo, "3c8a68950d5af32f", 2)])
    func oldFilesLoadAndWriteBackToTheSameBytes(text: String, referenceID: String, formatVersion: Int) throws {
        let reference = try Reference(json: Array(text.utf8), file: "old.json")
        #expect(reference.referenceID == referenceID)
        #expect(Reference.fileFormatVersion(columns: reference.columns) == formatVersion)
        #expect(String(decoding: reference.encoded(), as: UTF8.self) == text)
        #expect(try JSONValue.parse(text).object?.keys == ["format", "format_version", "reference_id", "endpoint", "model_version",
                                                           "created_at", "bin_count", "task", "columns"])
    }

    @Test func theVersionTwoFileKeepsItsCalibrationAndCategories() throws {
        let reference = try Reference(json: Array(Self.versionTwo.utf8), file: "old.json")
        #expect(reference.column(named: "region")?.categories == ["eu/west", "apac-é", "us \"east\""])
        #expect(reference.column(named: ":proba:no")?.calibration?.events == [0, 0, 0, 3])
        #expect(reference.task?.threshold == 0.5)
    }
}

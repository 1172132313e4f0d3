"""pyarrow baseline for driftline-bench's Parquet benchmark.

Reads the table our writer produced (untimed), then times pyarrow writing it with the same
codec (LZ4_RAW, pyarrow's "lz4") and reading the result back; prints JSON.
usage: bench_parquet_pyarrow.py OURS.parquet OUT.parquet
"""
import json
import os
import sys
import time

import pyarrow.parquet as pq


def best_of(n, fn):
    fn()  # warm-up
    return min(_timed(fn) for _ in range(n))


def _timed(fn):
    t = time.perf_counter()
    fn()
    return time.perf_counter() - t


def main():
    ours, out = sys.argv[1], sys.argv[2]
    table = pq.read_table(ours)
    write_s = best_of(2, lambda: pq.write_table(table, out, compression="lz4"))
    read_s = best_of(2, lambda: pq.read_table(out))
    back = pq.read_table(out)
    assert back.num_rows == table.num_rows
    print(json.dumps({"write_s": write_s, "read_s": read_s, "size": os.path.getsize(out),
                      "row_groups": pq.ParquetFile(out).metadata.num_row_groups}))


if __name__ == "__main__":
    main()

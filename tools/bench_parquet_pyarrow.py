"""pyarrow baseline for driftline-bench's Parquet benchmark.

Reads the table our writer produced (untimed), then times pyarrow writing it with the same
codec (LZ4_RAW, pyarrow's "lz4") and reading the result back; prints JSON.
usage: bench_parquet_pyarrow.py OURS.parquet OUT.parquet
"""
import json
import os
import resource
import sys
import time

import pyarrow.parquet as pq


def best_of(n, fn):
    """(best wall seconds, best CPU seconds) over n runs after a warm-up."""
    fn()  # warm-up
    runs = [_timed(fn) for _ in range(n)]
    return min(r[0] for r in runs), min(r[1] for r in runs)


def _cpu():
    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime


def _timed(fn):
    t, c = time.perf_counter(), _cpu()
    fn()
    return time.perf_counter() - t, _cpu() - c


def main():
    ours, out = sys.argv[1], sys.argv[2]
    table = pq.read_table(ours)
    write_s, write_cpu = best_of(2, lambda: pq.write_table(table, out, compression="lz4"))
    read_s, read_cpu = best_of(2, lambda: pq.read_table(out))
    back = pq.read_table(out)
    assert back.num_rows == table.num_rows
    print(json.dumps({"write_s": write_s, "read_s": read_s, "write_cpu_s": write_cpu, "read_cpu_s": read_cpu,
                      "size": os.path.getsize(out),
                      "row_groups": pq.ParquetFile(out).metadata.num_row_groups}))


if __name__ == "__main__":
    main()

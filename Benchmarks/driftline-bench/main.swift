print("driftline-bench: no benchmarks yet")

// An empty module: the baseline for cold-start benchmarks.

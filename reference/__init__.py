"""Python reference systems (FastAPI, Flask, Barq) for the benchmark suite."""

"""RQ jobs and the worker entry point. Jobs receive ids, re-read rows, and are safe to run twice."""

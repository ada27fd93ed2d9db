"""Run a real ``rq worker --burst`` (SimpleWorker) on the ``clientdesk`` queue, in its own app
made from the environment, for the tests that check a job end to end on Redis."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def run_burst_worker(redis_url: str, database_url: str, **env: str) -> None:
    """Run the queued jobs and return; fails the test when the worker does."""
    environment = {
        **os.environ,
        "DATABASE_URL": database_url,
        "REDIS_URL": redis_url,
        "SECRET_KEY": "worker-test-secret-0123456789abcdef",
        "PYTHONPATH": str(ROOT),
        **env,
    }
    rq = Path(sys.executable).parent / "rq"
    worker = [str(rq), "worker", "--burst", "--worker-class", "rq.worker.SimpleWorker"]
    result = subprocess.run(
        [*worker, "--url", redis_url, "clientdesk"],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr[-2000:]

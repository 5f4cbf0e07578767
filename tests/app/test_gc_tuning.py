"""The served process runs with the garbage collector tuned: startup's objects frozen and the
thresholds of GC_THRESHOLDS in force, as its own startup log line reports them."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest
from pydantic import ValidationError

from core.settings import Settings
from tests.app.test_embedded_smoke import TRADEQL, _sqlite_env, serving

TUNED_MESSAGE = "garbage collector tuned for serving"


def _gc_entry(logs: str) -> dict[str, object]:
    entries = [json.loads(line) for line in logs.splitlines() if line.startswith("{")]
    tuned = [entry for entry in entries if entry["message"] == TUNED_MESSAGE]
    assert len(tuned) == 1, logs
    entry: dict[str, object] = tuned[0]
    return entry


@pytest.mark.slow
def test_the_served_process_freezes_startup_and_applies_the_thresholds(tmp_path: Path) -> None:
    env = _sqlite_env(tmp_path, GC_THRESHOLDS="40000, 15,30")
    migrated = subprocess.run(
        [TRADEQL, "migrate"], env=env, cwd=tmp_path, capture_output=True, timeout=120
    )
    assert migrated.returncode == 0, migrated.stderr
    with serving(env, tmp_path) as served:
        pass
    entry = _gc_entry(served.logs)
    assert entry["gc_thresholds"] == [40000, 15, 30]
    # The schema, the views and the imported modules: far more than a bare interpreter's.
    assert isinstance(entry["gc_frozen"], int)
    assert entry["gc_frozen"] > 100_000


def test_the_default_thresholds_are_the_server_ones() -> None:
    assert Settings().gc_threshold_counts == (50_000, 20, 50)


@pytest.mark.parametrize("value", ["", "700,10", "700,10,0", "700,10,-1", "a,b,c", "1,2,3,4"])
def test_thresholds_other_than_three_positive_counts_are_refused(value: str) -> None:
    with pytest.raises(ValidationError, match="gc_thresholds"):
        Settings(gc_thresholds=value)

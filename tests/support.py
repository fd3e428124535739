"""Helpers shared by the tests (importable as ``support``: pytest puts tests/ on the path)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
SHARED = REPO.parent / "shared"


def snapshot(root: Path) -> dict[str, bytes]:
    """Every file under kg/ of *root*, byte for byte."""
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted((root / "kg").glob("*.ttl"))}


def run_cli(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    """Run the real ``zonegraph`` command in a fresh process."""
    return subprocess.run(
        [sys.executable, "-m", "zonegraph", *args],
        capture_output=True,
        text=True,
        cwd=cwd,
        timeout=300,
    )

"""Shared test helpers: where the corpus is, and whether it must be there."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = ROOT / "fixtures"
CORPUS = Path(os.environ.get("EXAUDIT_CORPUS", ROOT / ".." / "shared" / "corpus")).resolve()


def corpus_dir(*parts: str) -> Path:
    """A corpus folder; skips the test when the corpus is absent, except in CI."""
    path = CORPUS.joinpath(*parts)
    if not path.exists():
        if os.environ.get("CI"):
            pytest.fail(f"corpus folder {path} is missing in CI (set EXAUDIT_CORPUS)")
        pytest.skip(f"corpus folder {path} is absent (set EXAUDIT_CORPUS)")
    return path


@pytest.fixture(autouse=True, scope="session")
def _private_cache(tmp_path_factory: pytest.TempPathFactory) -> None:
    """The result cache of the test session lives in a directory of its own."""
    os.environ["EXAUDIT_CACHE_DIR"] = str(tmp_path_factory.mktemp("exaudit-cache"))


def _snapshot(root: Path) -> dict[str, tuple[str, int]]:
    import hashlib

    return {
        str(p): (hashlib.sha256(p.read_bytes()).hexdigest(), p.stat().st_mtime_ns)
        for p in sorted(root.rglob("*"))
        if p.is_file()
    }


@pytest.fixture(autouse=True, scope="session")
def _inputs_stay_as_they_are() -> object:
    """exaudit never writes to its inputs: every fixture is as it was after the session."""
    before = _snapshot(FIXTURES)
    yield
    after = _snapshot(FIXTURES)
    changed = sorted(p for p in before.keys() | after.keys() if before.get(p) != after.get(p))
    assert not changed, f"the test session changed inputs: {changed[:5]}"

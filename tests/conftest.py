"""Shared fixtures: the public worked examples (copied from ``shared/spec/examples``) and
the embedded sample."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = Path(__file__).resolve().parent / "data" / "examples"
SHARED_EXAMPLES = ROOT.parent / "shared" / "spec" / "examples"
SAMPLE = ROOT / "scenarios" / "data" / "laocai-2024-03.instance.json"

# The database fixtures are registered once, here: imported into several conftests they
# became one session fixture per directory, and a run mixing directories (an xdist worker
# does) had the second drop the test database under the first's open connections.
pytest_plugins = ["tests.storage.fixtures"]


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--backends",
        default=os.environ.get("PHANCONG_BACKENDS", "auto,cpsat,pulp-highs,pulp-cbc"),
        help="comma-separated solver backends for the solver tests (see tests/solver/conftest.py)",
    )


@pytest.fixture(scope="session")
def examples_dir() -> Path:
    """The worked examples of the public spec (tiny: optimum 32, city17: optimum 53)."""
    return EXAMPLES


@pytest.fixture(scope="session")
def sample_path() -> Path:
    """The embedded Lào Cai sample instance."""
    return SAMPLE

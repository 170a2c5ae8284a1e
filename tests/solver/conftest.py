"""Solver tests run once per backend: ``--backends auto,cpsat,pulp-highs,pulp-cbc`` (the default).

A test takes the ``backend`` fixture to be parametrized over the chosen backends, or
``backends`` to get the whole list (to solve one instance with each and compare).

The option itself is registered in the root ``tests/conftest.py`` (pytest reads options
only from the conftest files it loads first), so it works from any directory;
``PHANCONG_BACKENDS=cpsat`` sets the default.
"""

from __future__ import annotations

import os

import pytest

from tests.solver.builders import BACKEND_SPECS

DEFAULT_BACKENDS = os.environ.get("PHANCONG_BACKENDS", "auto,cpsat,pulp-highs,pulp-cbc")


def chosen_backends(config: pytest.Config) -> list[str]:
    value = config.getoption("--backends", default=DEFAULT_BACKENDS)
    names = [name.strip() for name in str(value).split(",") if name.strip()]
    unknown = [name for name in names if name not in BACKEND_SPECS]
    if unknown:
        raise pytest.UsageError(f"--backends: unknown {unknown}; choose from {list(BACKEND_SPECS)}")
    return names


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    if "backend" in metafunc.fixturenames:
        metafunc.parametrize("backend", chosen_backends(metafunc.config), indirect=True, scope="session")


@pytest.fixture(scope="session")
def backend(request: pytest.FixtureRequest) -> str:
    """The solver backend of this run of the test. It shadows the database ``backend`` of
    ``tests.storage.fixtures`` here, and is session-scoped so that hypothesis' tests may take it."""
    return str(request.param)


@pytest.fixture(scope="session")
def backends(request: pytest.FixtureRequest) -> list[str]:
    """Every backend chosen with ``--backends``."""
    return chosen_backends(request.config)

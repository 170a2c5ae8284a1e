"""Fixtures of the scenario tests: the spec's tiny example as a base month, in a folder
of its own with its published schedule, and a helper that writes scenario files there.

The tiny month (4 communes, 5 delegates, 4 meetings on 4 and 6 November 2025) is easy to
reason about: its published schedule is m1 d1, m2 d1, m3 d2 + d5, m4 d3 (score 32).
"""

from __future__ import annotations

import copy
import json
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.conftest import EXAMPLES

TINY = EXAMPLES / "tiny.instance.json"
TINY_SOLUTION = EXAMPLES / "tiny.solution.json"
PUBLISHED = [("m1", "d1"), ("m2", "d1"), ("m3", "d2"), ("m3", "d5"), ("m4", "d3")]

WriteScenario = Callable[..., Path]


@pytest.fixture(scope="session")
def tiny_source() -> dict[str, Any]:
    return json.loads(TINY.read_text(encoding="utf-8"))


@pytest.fixture
def tiny(tiny_source: dict[str, Any]) -> dict[str, Any]:
    """A fresh copy of the tiny instance document (tests may change it)."""
    return copy.deepcopy(tiny_source)


def make_folder(path: Path) -> Path:
    """Puts the tiny month in ``path`` as ``base.instance.json`` and ``published.solution.json``."""
    shutil.copy(TINY, path / "base.instance.json")
    shutil.copy(TINY_SOLUTION, path / "published.solution.json")
    return path


def scenario_writer(folder: Path) -> WriteScenario:
    """A function writing scenario YAMLs on the tiny base in ``folder`` (published schedule kept
    unless the fields say otherwise)."""

    def write(name: str, changes: list[dict[str, Any]], **fields: Any) -> Path:
        document = {"name": name, "base": "base.instance.json", "published": "published.solution.json"}
        document.update(fields)
        document["changes"] = changes
        path = folder / f"{name}.yaml"
        path.write_text(yaml.safe_dump(document, allow_unicode=True, sort_keys=False), encoding="utf-8")
        return path

    return write


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    """A folder holding the tiny month and its published schedule."""
    return make_folder(tmp_path)


@pytest.fixture
def write_scenario(folder: Path) -> WriteScenario:
    """Writes a scenario YAML on the tiny base."""
    return scenario_writer(folder)

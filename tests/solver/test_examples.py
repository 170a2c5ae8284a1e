"""The worked examples of the spec (shared/spec/examples, vendored under tests/data/examples).

"A correct solver reaches the same total; a correct scorer gives the solution's stated
terms and total" (examples/README.md): tiny — optimum 32, unique; city17 — optimum 53.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from models.io import load_instance, load_solution
from solver import score
from solver.visits import suggest_visits
from tests.solver.builders import run

OPTIMA = {"tiny": 32, "city17": 53}


def stated(examples_dir: Path, name: str) -> dict[str, Any]:
    return json.loads((examples_dir / f"{name}.solution.json").read_text(encoding="utf-8"))


@pytest.mark.parametrize("name", sorted(OPTIMA))
def test_solving_reaches_the_stated_optimum(name: str, backend: str, examples_dir: Path) -> None:
    """Every backend proves the example's stated optimum, with a schedule that breaks no hard rule."""
    instance = load_instance(examples_dir / f"{name}.instance.json")
    result = run(instance, backend, time_limit=30.0)
    assert result.report is not None
    assert result.report.violations == []
    assert result.report.total == OPTIMA[name]
    assert result.objective == OPTIMA[name]
    assert result.status == "optimal"
    assert result.bound == OPTIMA[name]
    assert result.gaps == []


def test_tiny_optimum_is_the_stated_schedule(backend: str, examples_dir: Path) -> None:
    """The tiny example's optimum is unique, so every backend returns exactly the stated schedule."""
    instance = load_instance(examples_dir / "tiny.instance.json")
    result = run(instance, backend)
    expected = {(a["meeting"], a["delegate"]) for a in stated(examples_dir, "tiny")["assignments"]}
    assert set(result.assignments) == expected
    assert result.report is not None
    assert result.report.terms == stated(examples_dir, "tiny")["score"]["terms"]


@pytest.mark.parametrize("name", sorted(OPTIMA))
def test_scoring_the_stated_solution_gives_its_terms(name: str, examples_dir: Path) -> None:
    """The scorer gives the stated solution its stated terms and total, and finds no violation."""
    instance = load_instance(examples_dir / f"{name}.instance.json")
    solution = load_solution(examples_dir / f"{name}.solution.json")
    report = score(instance, solution.pairs())
    document = stated(examples_dir, name)
    assert report.violations == []
    assert report.gaps == []
    assert report.terms == document["score"]["terms"]
    assert report.total == document["score"]["total"] == OPTIMA[name]


def test_tiny_terms_as_explained_in_the_readme(examples_dir: Path) -> None:
    """README: rotation 1, agency_repeat 1, balance 0, senior_at_stable 1, travel 18 → 10 + 3 + 0 + 1 + 18 = 32."""
    instance = load_instance(examples_dir / "tiny.instance.json")
    pairs = [("m1", "d1"), ("m2", "d1"), ("m3", "d2"), ("m3", "d5"), ("m4", "d3")]
    terms = score(instance, pairs).terms
    assert (terms["rotation"], terms["agency_repeat"], terms["balance"]) == (1, 1, 0)
    assert (terms["senior_at_stable"], terms["travel"]) == (1, 18)
    # and the alternatives the README rules out cost more
    assert score(instance, [("m1", "d1"), ("m2", "d1"), ("m3", "d2"), ("m3", "d4"), ("m4", "d3")]).total > 32
    assert score(instance, [("m1", "d1"), ("m2", "d3"), ("m3", "d2"), ("m3", "d5"), ("m4", "d4")]).total > 32


@pytest.mark.parametrize("name", sorted(OPTIMA))
def test_stated_visits_follow_the_rule(name: str, examples_dir: Path) -> None:
    """The visits of the stated solutions are the ones RULES.md's visit rule gives their assignments."""
    instance = load_instance(examples_dir / f"{name}.instance.json")
    document = stated(examples_dir, name)
    pairs = [(a["meeting"], a["delegate"]) for a in document["assignments"]]
    expected = sorted((v["meeting"], v["delegate"], v["team"]) for v in document["visits"])
    assert sorted(suggest_visits(instance, pairs)) == expected

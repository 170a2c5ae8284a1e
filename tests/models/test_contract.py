"""The copies of the public contract stay identical to ``shared/spec``."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import EXAMPLES, ROOT, SHARED_EXAMPLES

SHARED_SPEC = ROOT.parent / "shared" / "spec"


@pytest.mark.parametrize("name", ["instance.schema.json", "solution.schema.json"])
def test_schema_copies_match_the_spec(name: str) -> None:
    """Each JSON Schema shipped in models/schemas is byte-identical to the spec's."""
    if not SHARED_SPEC.is_dir():
        pytest.skip("shared/spec is not beside this checkout")
    ours = (ROOT / "models" / "schemas" / name).read_bytes()
    assert ours == (SHARED_SPEC / name).read_bytes()


def test_example_copies_match_the_spec() -> None:
    """The worked examples under tests/data are the spec's, file for file."""
    if not SHARED_EXAMPLES.is_dir():
        pytest.skip("shared/spec is not beside this checkout")
    theirs = {p.name: p.read_bytes() for p in SHARED_EXAMPLES.glob("*.json")}
    ours = {p.name: p.read_bytes() for p in Path(EXAMPLES).glob("*.json")}
    assert ours == theirs

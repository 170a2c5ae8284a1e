"""The ``phancong`` command, run as a planner runs it (a real process, real exit codes).

Exit codes: 0 a solve that is optimal or feasible / a schedule without hard violations;
1 a partial solve / a scored schedule that breaks a hard rule; 2 bad input or no schedule
possible. Every input problem is named by its JSON path and value, all at once.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from jsonschema import Draft202012Validator

from tests.conftest import ROOT
from tests.solver.builders import Doc

JsonDict = dict[str, Any]
SCRIPT = Path(sys.executable).parent / "phancong"
SPEC = ROOT.parent / "shared" / "spec" / "solution.schema.json"
SOLUTION_SCHEMA = SPEC if SPEC.is_file() else ROOT / "models" / "schemas" / "solution.schema.json"


def phancong(*args: str | Path) -> subprocess.CompletedProcess[str]:
    """Run the console script; output decoded as UTF-8."""
    command = [str(SCRIPT)] if SCRIPT.exists() else [sys.executable, "-c", "from cli.main import main; main()"]
    env = {**os.environ, "PYTHONIOENCODING": "utf-8", "NO_COLOR": "1", "COLUMNS": "200"}
    return subprocess.run(
        [*command, *map(str, args)],
        capture_output=True,
        text=True,
        encoding="utf-8",
        cwd=ROOT,
        env=env,
        timeout=120,
        check=False,
    )


def write(path: Path, document: Any) -> Path:
    path.write_text(json.dumps(document, ensure_ascii=False), encoding="utf-8")
    return path


def valid() -> JsonDict:
    """A valid instance: two communes (c1 flagged) with roads, a team, two delegates, two meetings, history."""
    return (
        Doc()
        .commune("c1", 1, teams=["c1-t1"])
        .commune("c2")
        .road("hq", "c1", 10)
        .road("hq", "c2", 20)
        .delegate("d1", 2, in_charge_of=["c2"])
        .delegate("d2", leave=[("2025-11-01", "2025-11-03")])
        .meeting("m1", "c1", "2025-11-10T08:00")
        .meeting("m2", "c2", "2025-11-11T08:00")
        .attended("2025-10-01", "c1", "d2")
        .visited("2025-10-01", "c1-t1")
        .document()
    )


def solution_errors(document: JsonDict) -> list[str]:
    schema = json.loads(SOLUTION_SCHEMA.read_text(encoding="utf-8"))
    return [e.message for e in Draft202012Validator(schema).iter_errors(document)]


# -- bad input -------------------------------------------------------------------------


def test_valid_instance_validates(tmp_path: Path) -> None:
    """``validate`` accepts a valid instance with exit code 0."""
    done = phancong("validate", write(tmp_path / "ok.json", valid()))
    assert done.returncode == 0, done.stderr
    assert "2 hội nghị" in done.stdout


def test_malformed_json(tmp_path: Path) -> None:
    """A file that is not JSON: exit 2, with the line and column."""
    path = tmp_path / "broken.json"
    path.write_text('{"format": "phancong-instance/1",\n  "communes": [}\n', encoding="utf-8")
    done = phancong("validate", path)
    assert done.returncode == 2
    assert "$" in done.stderr
    assert "2" in done.stderr  # line 2
    assert "Traceback" not in done.stderr


def test_missing_file(tmp_path: Path) -> None:
    """A path that does not exist: exit 2 and a message, no traceback."""
    done = phancong("validate", tmp_path / "nowhere.json")
    assert done.returncode == 2
    assert "Traceback" not in done.stderr


Mutation = Callable[[JsonDict], None]


def _set(path: list[str | int], value: Any) -> Mutation:
    def mutate(doc: JsonDict) -> None:
        target: Any = doc
        for part in path[:-1]:
            target = target[part]
        target[path[-1]] = value

    return mutate


def _delete(path: list[str | int]) -> Mutation:
    def mutate(doc: JsonDict) -> None:
        target: Any = doc
        for part in path[:-1]:
            target = target[part]
        del target[path[-1]]

    return mutate


def _add(field: str, item: JsonDict) -> Mutation:
    def mutate(doc: JsonDict) -> None:
        doc.setdefault(field, []).append(item)

    return mutate


BAD: list[tuple[str, Mutation, str, str]] = [
    ("unknown field", _set(["delegates", 0, "nickname"], "Bé"), "$.delegates[0].nickname", '"Bé"'),
    ("wrong enum", _set(["communes", 0, "flag"], 5), "$.communes[0].flag", "5"),
    ("missing required", _delete(["meetings", 1, "start"]), "$.meetings[1].start", ""),
    ("meeting commune", _set(["meetings", 1, "commune"], "c9"), "$.meetings[1].commune", '"c9"'),
    ("pinned delegate", _add("pinned", {"meeting": "m1", "delegate": "d9"}), "$.pinned[0].delegate", '"d9"'),
    ("in_charge_of", _set(["delegates", 0, "in_charge_of"], ["c9"]), "$.delegates[0].in_charge_of[0]", '"c9"'),
    ("road end", _set(["roads", 1, "b"], "c9"), "$.roads[1].b", '"c9"'),
    ("history team", _set(["history", "visits", 0, "team"], "c9-t1"), "$.history.visits[0].team", '"c9-t1"'),
    (
        "30 February",
        _set(["delegates", 1, "unavailable", 0, "to"], "2025-02-30"),
        "$.delegates[1].unavailable[0].to",
        '"2025-02-30"',
    ),
    (
        "from after to",
        _set(["delegates", 1, "unavailable", 0, "from"], "2025-11-09"),
        "$.delegates[1].unavailable[0]",
        '"2025-11-09"',
    ),
    ("month 13", _set(["meetings", 0, "start"], "2025-13-01T08:00"), "$.meetings[0].start", '"2025-13-01T08:00"'),
    # json.dumps writes these as the bare words NaN and Infinity, which Python's reader takes back.
    ("NaN", _set(["communes", 0, "lat"], float("nan")), "$.communes[0].lat", '"NaN"'),
    ("Infinity", _set(["roads", 0, "minutes"], float("inf")), "$.roads[0].minutes", '"Infinity"'),
    # Schema-valid but beyond what a plan means: they once overflowed the solver's arithmetic.
    ("huge minutes", _set(["meetings", 0, "minutes"], 10**20), "$.meetings[0].minutes", str(10**20)),
    ("huge required", _set(["meetings", 0, "required"], 10**20), "$.meetings[0].required", str(10**20)),
    ("year 1", _set(["meetings", 0, "start"], "0001-01-01T08:00"), "$.meetings[0].start", '"0001-01-01T08:00"'),
    ("year 9999", _set(["meetings", 0, "start"], "9999-12-31T23:00"), "$.meetings[0].start", "9999-12-31"),
    ("huge road", _set(["roads", 0, "minutes"], 1e308), "$.roads[0].minutes", "1e+308"),
    ("history year 1", _set(["history", "visits", 0, "date"], "0001-01-01"), "$.history.visits[0].date", "0001"),
    ("huge weight", _set(["rules"], {"weights": {"travel": 2**62}}), "$.rules.weights.travel", str(2**62)),
    # The contract (models.contract): one range of years for every date, no invisible
    # characters in ids and names, no noncharacter anywhere.
    (
        "leave to 9999",
        _set(["delegates", 1, "unavailable", 0, "to"], "9999-12-31"),
        "$.delegates[1].unavailable[0].to",
        "9999-12-31",
    ),
    ("meeting in 1999", _set(["meetings", 0, "start"], "1999-12-01T08:00"), "$.meetings[0].start", "1999-12-01"),
    ("zero-width id", _set(["communes", 1, "id"], "c2\u200b"), "$.communes[1].id", "c2"),
    ("bidi in a name", _set(["delegates", 0, "name"], "An \u202eabc"), "$.delegates[0].name", "An"),
    ("noncharacter in a reason", _set(["communes", 0, "flag_reason"], "x\uffff"), "$.communes[0].flag_reason", "x"),
]


@pytest.mark.parametrize(("mutate", "path", "value"), [b[1:] for b in BAD], ids=[b[0] for b in BAD])
def test_bad_input_names_path_and_value(tmp_path: Path, mutate: Mutation, path: str, value: str) -> None:
    """``validate`` on a broken instance: exit 2, naming the JSON path and the offending value."""
    doc = valid()
    mutate(doc)
    done = phancong("validate", write(tmp_path / "bad.json", doc))
    assert done.returncode == 2, done.stdout
    line = next((line for line in done.stderr.splitlines() if path in line), None)
    assert line is not None, done.stderr
    assert value in line
    assert "Traceback" not in done.stderr


def test_all_errors_at_once_for_every_command(tmp_path: Path) -> None:
    """Several problems in one file are all reported in one run, by validate, solve and score alike."""
    doc = valid()
    doc["delegates"][0]["nickname"] = "Bé"
    doc["communes"][0]["flag"] = 5
    doc["meetings"][1]["commune"] = "c9"
    doc["meetings"][0]["start"] = "2025-02-30T08:00"
    doc["roads"][1]["b"] = "c9"
    bad = write(tmp_path / "bad.json", doc)
    good_solution = write(
        tmp_path / "s.json", {"format": "phancong-solution/1", "status": "feasible", "assignments": []}
    )
    paths = ["$.delegates[0].nickname", "$.communes[0].flag", "$.meetings[1].commune", "$.meetings[0].start"]
    for args in (("validate", bad), ("solve", bad, "--time-limit", "5"), ("score", bad, good_solution)):
        done = phancong(*args)
        assert done.returncode == 2, args
        for path in paths:
            assert path in done.stderr, (args, done.stderr)


def test_bad_solution_file_for_score(tmp_path: Path) -> None:
    """``score`` refuses a solution file that breaks the solution schema, with exit 2 and the path."""
    instance = write(tmp_path / "ok.json", valid())
    solution = write(tmp_path / "s.json", {"format": "phancong-solution/1", "status": "done", "assignments": [{}]})
    done = phancong("score", instance, solution)
    assert done.returncode == 2
    assert "$.status" in done.stderr
    assert "$.assignments[0].meeting" in done.stderr


def test_unknown_backend(tmp_path: Path) -> None:
    """An unknown --backend is bad input: exit 2, no traceback."""
    done = phancong("solve", write(tmp_path / "ok.json", valid()), "--backend", "gurobi-magic")
    assert done.returncode == 2
    assert "Traceback" not in done.stderr


# -- solve: exit codes and the solution file -------------------------------------------


def test_solve_writes_a_valid_solution(tmp_path: Path, examples_dir: Path) -> None:
    """Solving the tiny example: exit 0, and the file is phancong-solution/1 with the optimum and visits."""
    out = tmp_path / "tiny.solution.json"
    done = phancong("solve", examples_dir / "tiny.instance.json", "--out", out, "--time-limit", "20", "-q")
    assert done.returncode == 0, done.stderr
    document = json.loads(out.read_text(encoding="utf-8"))
    assert solution_errors(document) == []
    assert document["status"] == "optimal"
    assert document["score"]["total"] == 32
    assert document["bound"] == 32
    assert len(document["assignments"]) == 5
    assert len(document["visits"]) == 4
    again = phancong("score", examples_dir / "tiny.instance.json", out, "--json")
    assert again.returncode == 0
    assert json.loads(again.stdout)["total"] == 32


def test_partial_instance_exits_1_and_still_writes(tmp_path: Path) -> None:
    """A flag-2 meeting with one staff delegate: exit 1, and the partial schedule is written with its gap."""
    doc = Doc().commune("c1", 2).delegate("d1", name="Lò Văn Sơn").meeting("m1", "c1", "2025-11-10T08:00")
    out = tmp_path / "partial.solution.json"
    done = phancong("solve", write(tmp_path / "partial.json", doc.document()), "--out", out, "--time-limit", "10")
    assert done.returncode == 1, done.stderr
    document = json.loads(out.read_text(encoding="utf-8"))
    assert solution_errors(document) == []
    assert document["status"] == "partial"
    assert document["score"]["terms"]["unfilled"] == 2
    assert document["score"]["total"] == 2000
    (gap,) = document["unfilled"]
    assert (gap["meeting"], gap["seats"], gap["senior_missing"]) == ("m1", 1, True)
    assert gap["reason"]


@pytest.mark.parametrize(
    ("doc", "words"),
    [
        (
            Doc()
            .commune("c1")
            .delegate("d1", name="Nguyễn Văn Kiên", leave=[("2025-11-10", "2025-11-10")])
            .meeting("m1", "c1", "2025-11-10T08:00")
            .pin("m1", "d1"),
            "Nguyễn Văn Kiên",
        ),
        (
            Doc()
            .commune("c1")
            .commune("c2")
            .delegate("d1", name="Nguyễn Văn Kiên")
            .meeting("m1", "c1", "2025-11-10T08:00")
            .meeting("m2", "c2", "2025-11-10T09:00")
            .pin("m1", "d1")
            .pin("m2", "d1"),
            "Nguyễn Văn Kiên",
        ),
    ],
    ids=["pin-on-leave", "overlapping-pins"],
)
def test_infeasible_pins_exit_2_with_a_reason(tmp_path: Path, doc: Doc, words: str) -> None:
    """Pins that cannot hold: exit 2 and the reason, naming the delegate, on stderr."""
    done = phancong("solve", write(tmp_path / "pins.json", doc.document()), "--time-limit", "10")
    assert done.returncode == 2
    assert words in done.stderr
    assert "Traceback" not in done.stderr


# -- score -----------------------------------------------------------------------------


def test_score_of_the_stated_solution(examples_dir: Path) -> None:
    """``score --json`` on the stated tiny solution: exit 0, total 32, the stated terms, no violation."""
    done = phancong("score", examples_dir / "tiny.instance.json", examples_dir / "tiny.solution.json", "--json")
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout)
    stated = json.loads((examples_dir / "tiny.solution.json").read_text(encoding="utf-8"))
    assert report["total"] == 32
    assert report["terms"] == stated["score"]["terms"]
    assert report["violations"] == []


def test_score_of_a_schedule_breaking_a_hard_rule(tmp_path: Path, examples_dir: Path) -> None:
    """A hand-made schedule sending d1 to c3 (which d1 is in charge of): exit 1 and the rule named."""
    solution = {
        "format": "phancong-solution/1",
        "status": "feasible",
        "assignments": [{"meeting": "m3", "delegate": "d1"}, {"meeting": "m3", "delegate": "d2"}],
    }
    done = phancong("score", examples_dir / "tiny.instance.json", write(tmp_path / "s.json", solution), "--json")
    assert done.returncode == 1
    report = json.loads(done.stdout)
    assert {v["rule"] for v in report["violations"]} >= {"H7", "H3"}  # d1 is in charge of c3 and away on 6/11


def test_generated_instances_validate(tmp_path: Path) -> None:
    """``generate`` writes an instance that ``validate`` accepts."""
    out = tmp_path / "generated.json"
    done = phancong("generate", "--communes", "4", "--delegates", "8", "--seed", "3", "--out", out)
    assert done.returncode == 0, done.stderr
    assert phancong("validate", out).returncode == 0


def test_generate_takes_the_difficulty_knobs(tmp_path: Path) -> None:
    """Every knob reaches the document, which validates; one out of range exits non-zero
    naming the option, and writes nothing."""
    out = tmp_path / "shaped.json"
    done = phancong(
        "generate", "--communes", "4", "--delegates", "8", "--months", "2", "--history-months", "2",
        "--history-density", "0.5", "--leave", "2", "--trips", "0.5", "--flags", "0.5", "--in-charge", "2",
        "--meetings-per-month", "2", "--roads", "0", "--out", out,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    doc = json.loads(out.read_text(encoding="utf-8"))
    assert doc["roads"] == []
    assert len(doc["meetings"]) == 4 * 2 * 2
    assert phancong("validate", out).returncode == 0
    bad = tmp_path / "bad.json"
    refused = phancong("generate", "--communes", "4", "--delegates", "8", "--flags", "1.5", "--out", bad)
    assert refused.returncode != 0
    assert "--flags" in refused.stderr
    assert not bad.exists()


def test_an_infeasible_month_still_writes_its_status_and_reasons(tmp_path: Path) -> None:
    """Pins that cannot hold: exit 2, and the solution file says ``infeasible`` with the
    pinned meeting and the reason, valid against the public schema."""
    doc = valid()
    doc["pinned"] = [{"meeting": "m1", "delegate": "d2"}]
    doc["delegates"][1]["unavailable"] = [{"from": doc["meetings"][0]["start"][:10], "to": "2025-11-30"}]
    out = tmp_path / "out.json"
    done = phancong("solve", write(tmp_path / "pins.json", doc), "--out", out, "--time-limit", "10")
    assert done.returncode == 2
    written = json.loads(out.read_text(encoding="utf-8"))
    Draft202012Validator(json.loads(SOLUTION_SCHEMA.read_text(encoding="utf-8"))).validate(written)
    assert written["status"] == "infeasible"
    assert written["assignments"] == []
    assert [u["meeting"] for u in written["unfilled"]] == ["m1"]
    assert "nghỉ" in written["unfilled"][0]["reason"]


@pytest.mark.parametrize("where", ["under a file", "a folder", "a name too long", "in /proc"])
def test_an_unwritable_out_path_is_refused_before_solving(tmp_path: Path, where: str) -> None:
    """``--out`` under a file (no folder can be made there), onto a folder, with a name
    longer than the system takes, or where even root cannot write: exit 2 at once, a
    Vietnamese reason, no traceback (it once failed after the whole solve)."""
    blocker = write(tmp_path / "blocker.txt", "a file")
    target = {
        "under a file": blocker / "sub" / "x.json",
        "a folder": tmp_path,
        "a name too long": tmp_path / f"{'a' * 300}.json",
        "in /proc": Path("/proc/phancong-x.json"),
    }[where]
    done = phancong("solve", write(tmp_path / "ok.json", valid()), "--out", target, "--time-limit", "30")
    assert done.returncode == 2
    assert "--out" in done.stderr
    assert "Traceback" not in done.stderr
    assert "Trạng thái" not in done.stdout  # refused before solving


def test_an_out_path_that_is_the_instance_is_refused(tmp_path: Path) -> None:
    """``solve x.json --out x.json`` would overwrite the instance with its schedule: exit 2, unchanged."""
    instance = write(tmp_path / "ok.json", valid())
    before = instance.read_bytes()
    done = phancong("solve", instance, "--out", instance, "--time-limit", "10")
    assert done.returncode == 2
    assert "ghi đè" in done.stderr
    assert instance.read_bytes() == before


def test_an_unknown_mip_solver_is_bad_input(tmp_path: Path) -> None:
    """``--mip-solver glpk``: exit 2 with the solvers there are, no traceback."""
    done = phancong("solve", write(tmp_path / "ok.json", valid()), "--backend", "pulp", "--mip-solver", "glpk")
    assert done.returncode == 2
    assert "highs, cbc" in done.stderr
    assert "Traceback" not in done.stderr


def test_score_of_a_schedule_with_an_empty_seat_exits_1(tmp_path: Path, examples_dir: Path) -> None:
    """A schedule leaving a seat empty breaks no rule but is partial: exit 1, as a partial solve."""
    document = json.loads((examples_dir / "tiny.solution.json").read_text(encoding="utf-8"))
    document["assignments"] = document["assignments"][1:]
    document.pop("score", None)
    done = phancong("score", examples_dir / "tiny.instance.json", write(tmp_path / "s.json", document), "--json")
    assert done.returncode == 1, done.stderr
    report = json.loads(done.stdout)
    assert (report["violations"], report["terms"]["unfilled"] > 0) == ([], True)


def test_generate_writes_by_the_extension_of_out(tmp_path: Path) -> None:
    """``--out x.xlsx`` is the instance workbook (it validates); another extension is refused."""
    book = tmp_path / "g.xlsx"
    done = phancong("generate", "--communes", "3", "--delegates", "6", "--out", book)
    assert done.returncode == 0, done.stderr
    assert book.read_bytes()[:2] == b"PK"
    assert phancong("validate", book).returncode == 0
    text = tmp_path / "g.txt"
    refused = phancong("generate", "--communes", "3", "--delegates", "6", "--out", text)
    assert refused.returncode == 2
    assert ".json hoặc .xlsx" in refused.stderr
    assert not text.exists()


def test_a_missing_out_folder_is_created(tmp_path: Path) -> None:
    """``make run`` writes to ``out/``, which a fresh clone does not have: the folder is made."""
    out = tmp_path / "out" / "nested" / "x.solution.json"
    done = phancong("solve", write(tmp_path / "ok.json", valid()), "--out", out, "--time-limit", "10", "-q")
    assert done.returncode == 0, done.stderr
    assert json.loads(out.read_text(encoding="utf-8"))["format"] == "phancong-solution/1"


def test_deeply_nested_or_oversized_json_is_a_clear_error(tmp_path: Path) -> None:
    """JSON nested 100,000 deep, or an integer of 5,000 digits: exit 2, no traceback."""
    for name, text in (("deep.json", "[" * 100_000 + "]" * 100_000), ("digits.json", '{"x": ' + "9" * 5000 + "}")):
        path = tmp_path / name
        path.write_text(text, encoding="utf-8")
        done = phancong("validate", path)
        assert done.returncode == 2, name
        assert "Traceback" not in done.stderr, name

"""The side-by-side figures of scenario outcomes, on a case whose differences are known."""

from __future__ import annotations

import re

import pytest

from models.labels import TERM_LABELS, term_label
from scenarios import compare
from scenarios.runner import BaseCache, ScenarioOutcome, run_scenario
from scenarios.scenario import load_scenario
from tests.scenarios.conftest import WriteScenario

ILL = {"kind": "delegate_away", "delegate": "d1", "from": "2025-11-04", "to": "2025-11-04", "reason": "Nghỉ ốm"}


@pytest.fixture
def outcomes(write_scenario: WriteScenario) -> tuple[BaseCache, list[ScenarioOutcome]]:
    """Two scenarios on one base: nothing happens; the Secretary (m1 and m2) falls ill."""
    cache = BaseCache()
    quiet = load_scenario(write_scenario("yên", []))
    ill = load_scenario(write_scenario("ốm", [ILL], mode="changes_first"))
    return cache, [run_scenario(s, time_limit=10, workers=1, cache=cache) for s in (quiet, ill)]


def test_the_known_differences_are_listed(outcomes: tuple[BaseCache, list[ScenarioOutcome]]) -> None:
    """No change keeps the schedule; the illness changes exactly m1 and m2, both from d1."""
    _, (quiet, ill) = outcomes
    assert quiet.changes == []
    assert [(c.meeting, c.before) for c in ill.changes] == [("m1", ("d1",)), ("m2", ("d1",))]
    assert all("d1" not in c.after for c in ill.changes)
    assert ill.changed_seats == 2
    assert all(c.reason.startswith("Đ/c Nguyễn Văn Kiên nghỉ ốm 04/11 → thay bằng Đ/c ") for c in ill.changes)


def test_one_base_is_read_once(outcomes: tuple[BaseCache, list[ScenarioOutcome]]) -> None:
    """Scenarios on the same base and published schedule share one base."""
    cache, (quiet, ill) = outcomes
    assert len(cache.bases) == 1
    assert quiet.base is ill.base
    assert quiet.base.source == "published"


def test_figures_of_each_column(outcomes: tuple[BaseCache, list[ScenarioOutcome]]) -> None:
    """Seats, flagged meetings with a senior, loads and changes are counted per schedule."""
    cache, (quiet, ill) = outcomes
    base = compare.of_base(next(iter(cache.bases.values())))
    columns = [base, compare.of_outcome(quiet), compare.of_outcome(ill)]
    assert [(f.seats_filled, f.seats) for f in columns] == [(5, 5)] * 3
    assert [(f.flagged_with_senior, f.flagged) for f in columns] == [(2, 2)] * 3
    assert [f.changed_seats for f in columns] == [0, 0, 2]
    assert [f.changed_meetings for f in columns] == [0, 0, 2]
    assert base.total == 32
    assert base.loads["Thường trực và UV BTV"] == (1, 2)  # d1 twice, d2 once
    assert columns[2].counts["changes"] == 2
    assert columns[2].points["changes"] == 40


def test_rows_have_one_cell_per_column(outcomes: tuple[BaseCache, list[ScenarioOutcome]]) -> None:
    """Every row has a cell per schedule, and every score term has its row."""
    _, found = outcomes
    table = compare.rows([compare.of_outcome(o) for o in found])
    assert all(len(cells) == 2 for _, cells in table)
    labels = [label.strip() for label, _ in table]
    assert all(term_label(t, 3) in labels for t in TERM_LABELS)
    cells = dict(table)
    assert cells["Chỗ thay đổi so với lịch gốc"] == ["0", "2"]
    # Vietnamese numbers: a decimal comma in the seconds ("0,03", never "0.03").
    assert all(re.fullmatch(r"\d+,\d\d", cell) for cell in cells["Thời gian giải (giây)"])


def test_a_scenario_without_a_schedule_shows_no_figures(write_scenario: WriteScenario) -> None:
    """A delegate pinned to two meetings at once: the column says there is no schedule, never zeros."""
    clash = [
        {"kind": "meeting_moved", "meeting": "m2", "start": "2025-11-04T08:00"},
        {"kind": "pin", "meeting": "m1", "delegate": "d3"},
        {"kind": "pin", "meeting": "m2", "delegate": "d3"},
    ]
    outcome = run_scenario(load_scenario(write_scenario("trùng", clash)), time_limit=5, workers=1)
    assert outcome.result.status == "infeasible"
    cells = {label.strip(): cell for label, (cell,) in compare.rows([compare.of_outcome(outcome)])}
    assert cells["Trạng thái"] == "không lập được lịch"
    assert cells["Tổng điểm phạt; từng tiêu chí: điểm (số lần)"] == "—"
    assert all(cells[term_label(t, 3)] == "—" for t in TERM_LABELS)
    assert cells["Chỗ đã có người"] == "—/5"
    assert cells["Chỗ thay đổi so với lịch gốc"] == "—"
    assert cells["Hội nghị thay đổi người dự"] == "—"
    assert all(cell == "—" for label, cell in cells.items() if label.startswith("Số buổi trong tháng"))


def test_the_rotation_row_names_each_month_s_window(
    outcomes: tuple[BaseCache, list[ScenarioOutcome]], write_scenario: WriteScenario
) -> None:
    """The rotation row says the months the rule looks back, and each column's when a scenario changes it."""
    cache, (quiet, _) = outcomes
    six = {"kind": "rule_option", "option": "rotation_months", "value": 6}
    longer = run_scenario(load_scenario(write_scenario("6 tháng", [six])), time_limit=5, workers=1, cache=cache)
    labels = [label.strip() for label, _ in compare.rows([compare.of_outcome(longer)])]
    assert "Lặp lại địa bàn trong 6 tháng" in labels
    both = [label.strip() for label, _ in compare.rows([compare.of_outcome(quiet), compare.of_outcome(longer)])]
    assert "Lặp lại địa bàn (các tháng gần đây); số tháng xét theo cột: 3 / 6" in both

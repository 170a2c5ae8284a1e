"""``phancong scenario``: run, compare, check, robustness and bench-replan, through typer's
CliRunner on the sub-app, on the tiny month (fast, easy to reason about)."""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

import pytest
from typer.testing import CliRunner

from cli.scenario import scenario_app
from tests.scenarios.conftest import WriteScenario, make_folder, scenario_writer

ILL = {"kind": "delegate_away", "delegate": "d1", "from": "2025-11-04", "to": "2025-11-04", "reason": "Nghỉ ốm"}
FLAG = {"kind": "commune_flag", "commune": "c4", "flag": 2, "reason": "Tranh chấp đất đai"}


@pytest.fixture
def runner() -> CliRunner:
    """A runner with a wide terminal, so that table cells are not wrapped mid-sentence."""
    return CliRunner(env={"COLUMNS": "250"})


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    """A folder holding the tiny month and its published schedule."""
    return make_folder(tmp_path)


@pytest.fixture
def write_scenario(folder: Path) -> WriteScenario:
    """Writes a scenario YAML on the tiny base."""
    return scenario_writer(folder)


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_run_lists_the_changes_with_reasons(runner: CliRunner, write_scenario: WriteScenario) -> None:
    """A re-plan prints the change, the replaced meetings with reasons, the score and the proof."""
    path = write_scenario("ốm", [ILL], mode="changes_first")
    result = runner.invoke(scenario_app, ["run", str(path), "--time-limit", "10", "--workers", "1"])
    assert result.exit_code == 0, result.output
    assert "1. Đ/c Nguyễn Văn Kiên vắng 04/11 — nghỉ ốm" in result.output
    assert "Đ/c Nguyễn Văn Kiên nghỉ ốm 04/11 → thay bằng Đ/c" in result.output
    assert "(2 chỗ, 2 hội nghị)" in result.output
    assert "đã chứng minh là ít nhất có thể" in result.output
    assert "Thay đổi so với lịch đã công bố" in result.output


def test_run_writes_the_new_schedule_elsewhere(
    runner: CliRunner, write_scenario: WriteScenario, folder: Path, tmp_path: Path
) -> None:
    """--out writes the new schedule, which no longer has the ill delegate on the 4th."""
    path = write_scenario("ốm", [ILL])
    target = tmp_path / "new.solution.json"
    result = runner.invoke(scenario_app, ["run", str(path), "--time-limit", "10", "--out", str(target)])
    assert result.exit_code == 0, result.output
    text = target.read_text(encoding="utf-8")
    assert '"meeting": "m1"' in text
    assert '"delegate": "d1"' not in text


def test_run_refuses_to_overwrite_the_published_schedule(
    runner: CliRunner, write_scenario: WriteScenario, folder: Path
) -> None:
    """--out naming the published schedule (or the base) is refused with exit code 2."""
    path = write_scenario("ốm", [ILL])
    for kept in ("published.solution.json", "base.instance.json"):
        before = digest(folder / kept)
        result = runner.invoke(scenario_app, ["run", str(path), "--out", str(folder / kept)])
        assert result.exit_code == 2
        assert digest(folder / kept) == before


def test_published_schedule_is_byte_identical_after_many_runs(
    runner: CliRunner, write_scenario: WriteScenario, folder: Path, tmp_path: Path
) -> None:
    """Runs, comparisons and robustness analyses leave the published and base files untouched."""
    files = [folder / "published.solution.json", folder / "base.instance.json"]
    before = [digest(f) for f in files]
    ill = write_scenario("ốm", [ILL])
    flag = write_scenario("cờ", [FLAG], mode="changes_first")
    fresh = write_scenario("mới", [ILL, FLAG], mode="fresh")
    for k in range(3):
        for path in (ill, flag, fresh):
            out = tmp_path / f"out-{k}-{path.stem}.json"
            assert (
                runner.invoke(scenario_app, ["run", str(path), "--time-limit", "5", "--out", str(out)]).exit_code == 0
            )
        assert runner.invoke(scenario_app, ["compare", str(ill), str(flag), "--time-limit", "5"]).exit_code == 0
        robust = ["robustness", str(files[1]), "--published", str(files[0]), "--processes", "1", "--time-limit", "2"]
        result = runner.invoke(scenario_app, [*robust, "--no-days"])
        assert result.exit_code == 0, result.output
        assert "Đại biểu vắng thì lịch phải đổi nhiều nhất" in result.output
    assert [digest(f) for f in files] == before


def test_compare_prints_the_table_and_the_known_differences(runner: CliRunner, write_scenario: WriteScenario) -> None:
    """Compare shows the base and each scenario side by side, then each one's changed meetings."""
    quiet = write_scenario("Yên ổn", [])
    ill = write_scenario("Bí thư ốm", [ILL], mode="changes_first")
    result = runner.invoke(scenario_app, ["compare", str(quiet), str(ill), "--time-limit", "10"])
    assert result.exit_code == 0, result.output
    out = result.output
    assert "So sánh kịch bản" in out
    assert "Lịch gốc" in out
    row = next(line for line in out.splitlines() if "Chỗ thay đổi so với lịch gốc" in line)
    assert [cell.strip() for cell in row.split("│")[2:5]] == ["0", "0", "2"]
    assert "Yên ổn: lịch không thay đổi so với lịch gốc." in out
    assert "Phân công thay đổi — Bí thư ốm (2 chỗ, 2 hội nghị)" in out
    assert out.count("Đ/c Nguyễn Văn Kiên nghỉ ốm 04/11 → thay bằng") == 2


def test_check_reports_every_problem_in_vietnamese(runner: CliRunner, write_scenario: WriteScenario) -> None:
    """A scenario with an unknown kind and a missing id fails with exit 2, naming each."""
    bad_kind = write_scenario("xấu", [{"kind": "storm", "meeting": "m1"}])
    result = runner.invoke(scenario_app, ["check", str(bad_kind)])
    assert result.exit_code == 2
    assert '$.changes[0].kind = "storm": không có kiểu thay đổi này' in result.output
    missing = write_scenario("thiếu", [{"kind": "meeting_cancelled", "meeting": "m42"}])
    result = runner.invoke(scenario_app, ["check", str(missing)])
    assert result.exit_code == 2
    assert '$.changes[0].meeting = "m42": không có hội nghị mã này trong bài toán' in result.output
    assert "thay đổi thứ 1" in result.output


def test_check_accepts_a_good_scenario(runner: CliRunner, write_scenario: WriteScenario) -> None:
    """A valid scenario is described change by change, without solving."""
    path = write_scenario("cờ", [FLAG])
    result = runner.invoke(scenario_app, ["check", str(path)])
    assert result.exit_code == 0, result.output
    assert "cờ: hợp lệ, 1 thay đổi." in result.output
    assert "Phường Kim Tân chuyển sang mức “phức tạp” — tranh chấp đất đai" in result.output


def test_an_unknown_mode_is_refused(runner: CliRunner, write_scenario: WriteScenario) -> None:
    """--mode outside weighted/changes_first/fresh exits with 2."""
    path = write_scenario("ốm", [ILL])
    assert runner.invoke(scenario_app, ["run", str(path), "--mode", "fast"]).exit_code == 2


def test_robustness_ranks_delegates_and_seats(runner: CliRunner, folder: Path) -> None:
    """Robustness of the published tiny schedule prints both rankings, the Secretary first."""
    args = ["robustness", str(folder / "base.instance.json"), "--published", str(folder / "published.solution.json")]
    result = runner.invoke(scenario_app, [*args, "--processes", "1", "--time-limit", "5", "--no-days"])
    assert result.exit_code == 0, result.output
    assert "Đại biểu vắng thì lịch phải đổi nhiều nhất" in result.output
    assert "Chỗ khó tìm người thay nhất" in result.output
    first = next(line for line in result.output.splitlines() if line.startswith("│ Đ/c"))
    assert "Nguyễn Văn Kiên" in first


def test_bench_replan_prints_the_median(runner: CliRunner) -> None:
    """The benchmark command runs on a small month and prints the median seconds and statuses in Vietnamese."""
    result = runner.invoke(
        scenario_app,
        ["bench-replan", "--communes", "8", "--delegates", "20", "--seeds", "1", "--base-time-limit", "5"],
    )
    assert result.exit_code == 0, result.output
    assert "Trung vị:" in result.output
    assert "lịch gốc tối ưu (đã chứng minh)" in result.output
    assert not any(status in result.output for status in ("optimal", "feasible", "partial"))


def test_a_published_pair_outside_the_base_stops_every_command(
    runner: CliRunner, write_scenario: WriteScenario, folder: Path
) -> None:
    """check, run, compare and robustness all exit 2 naming the published file, path and value; none crashes."""
    published = folder / "published.solution.json"
    published.write_text(published.read_text(encoding="utf-8").replace('"m1"', '"m99"'), encoding="utf-8")
    path = str(write_scenario("ốm", [ILL]))
    base = str(folder / "base.instance.json")
    for args in (
        ["check", path],
        ["run", path, "--time-limit", "5"],
        ["compare", path, "--time-limit", "5"],
        ["robustness", base, "--published", str(published), "--processes", "1", "--time-limit", "2"],
    ):
        result = runner.invoke(scenario_app, args)
        assert result.exit_code == 2, (args, result.output)
        assert result.exception is None or isinstance(result.exception, SystemExit), args
        assert f"Lịch đã công bố {published}" in result.output
        assert '$.assignments[0].meeting = "m99": không có hội nghị mã này trong tháng gốc' in result.output


def test_compare_names_the_file_of_a_bad_scenario(runner: CliRunner, write_scenario: WriteScenario) -> None:
    """When one of the compared scenarios names a missing id, the error is headed with its file."""
    good = write_scenario("ốm", [ILL])
    bad = write_scenario("thiếu", [{"kind": "meeting_cancelled", "meeting": "m42"}])
    result = runner.invoke(scenario_app, ["compare", str(good), str(bad), "--time-limit", "5"])
    assert result.exit_code == 2
    assert f"Kịch bản {bad} không hợp lệ (1 lỗi):" in result.output


@pytest.mark.parametrize("mode", ["weighted", "changes_first"])
def test_a_partial_schedule_can_be_proved_minimal(runner: CliRunner, write_scenario: WriteScenario, mode: str) -> None:
    """With a seat nobody can fill (status partial), a proved re-plan says so instead of "not proved"."""
    # Tả Phời (m3, flag 2) needs a committee member: d1 is in charge of it, d2 is now away.
    away = {"kind": "delegate_away", "delegate": "d2", "from": "2025-11-06", "to": "2025-11-06"}
    path = write_scenario("thiếu lãnh đạo", [away], mode=mode)
    result = runner.invoke(scenario_app, ["run", str(path), "--time-limit", "10", "--workers", "1"])
    assert result.exit_code == 1, result.output
    assert "chưa đủ người" in result.output
    assert "chưa chứng minh là ít nhất" not in result.output
    assert "phân công đã công bố bị thay — " in result.output


def test_the_score_table_names_the_rotation_window(runner: CliRunner, write_scenario: WriteScenario) -> None:
    """With rotation_months 6 the run's score table says "trong 6 tháng", not a fixed 3."""
    six = {"kind": "rule_option", "option": "rotation_months", "value": 6}
    result = runner.invoke(scenario_app, ["run", str(write_scenario("6 tháng", [six])), "--time-limit", "5"])
    assert result.exit_code == 0, result.output
    assert "Lặp lại địa bàn trong 6 tháng" in result.output
    assert "trong 3 tháng" not in result.output


def test_dates_are_written_one_way_in_one_output(runner: CliRunner, write_scenario: WriteScenario) -> None:
    """The scenario's sentences write dates as the solver's gap reasons do (dd/mm), never 4/11 beside 04/11."""
    # d2 away on the 6th leaves Tả Phời (m3) without a committee member: the solver explains the gap.
    away = {"kind": "delegate_away", "delegate": "d2", "from": "2025-11-06", "to": "2025-11-06", "reason": "Họp"}
    path = write_scenario("hai nguồn", [ILL, away])
    result = runner.invoke(scenario_app, ["run", str(path), "--time-limit", "5"])
    assert result.exit_code == 1, result.output
    dates = re.findall(r"(?<![\d/])\d{1,2}/\d{1,2}(?![\d/])", result.output)
    assert "06/11" in dates  # both sources are present
    assert all(re.fullmatch(r"\d\d/\d\d", d) for d in dates), dates


def test_an_unwritable_out_path_is_refused_before_the_solve(
    runner: CliRunner, write_scenario: WriteScenario, tmp_path: Path
) -> None:
    """--out naming a folder, or a folder that cannot be made, exits 2 with a Vietnamese reason
    before the solve (nothing of the run is printed), as `solve --out` does."""
    path = str(write_scenario("ốm", [ILL]))
    blocker = tmp_path / "tệp"
    blocker.write_text("x")
    for target, reason in ((tmp_path, "là một thư mục"), (blocker / "x.json", "không phải là thư mục")):
        result = runner.invoke(scenario_app, ["run", path, "--time-limit", "5", "--out", str(target)])
        assert result.exit_code == 2, result.output
        assert f"Lỗi: --out {target}: " in result.output
        assert reason in result.output
        assert "Kịch bản:" not in result.output  # refused before the run


def test_out_in_a_missing_folder_makes_the_folder(
    runner: CliRunner, write_scenario: WriteScenario, tmp_path: Path
) -> None:
    """A missing folder is made, as for `solve --out` (it used to fail after the solve)."""
    path = str(write_scenario("ốm", [ILL]))
    target = tmp_path / "không-có" / "x.json"
    result = runner.invoke(scenario_app, ["run", path, "--time-limit", "5", "--out", str(target)])
    assert result.exit_code in (0, 1), result.output
    assert target.is_file()


def test_run_names_the_mode_in_words(runner: CliRunner, write_scenario: WriteScenario) -> None:
    """The mode line says what the mode does, not the value typed after --mode."""
    path = write_scenario("ốm", [ILL])
    result = runner.invoke(scenario_app, ["run", str(path), "--time-limit", "5", "--mode", "changes_first"])
    assert result.exit_code in (0, 1), result.output
    assert "Chế độ: ít thay đổi nhất trước, rồi điểm tốt nhất\n" in result.output
    assert "changes_first" not in result.output
    assert not re.search(r"\d\.\d+ giây", result.output)  # seconds with the decimal comma

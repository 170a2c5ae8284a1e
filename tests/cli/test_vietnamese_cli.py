"""The command line speaks Vietnamese: Typer's own help and usage errors (cli/vietnamese.py),
numbers with the decimal comma, the system's and the JSON decoder's complaints, labels
instead of internal values; and what `generate` and `--out` promise."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner, Result

from cli.main import app
from tests.cli.test_cli import phancong, valid, write

NBSP = "\u00a0"
#: Typer's English, which no help or usage error may show any more.
ENGLISH = re.compile(
    r"Usage|Options|Arguments|Commands|Show this message|required|default|Error|Try '|Missing|No such|"
    r"Invalid value|<path>|<int|<float|<str>|range|x>=|x<=|<=x|Input should|Expecting|No such file"
)
COMMANDS = [
    [],
    ["validate"],
    ["solve"],
    ["score"],
    ["convert"],
    ["template"],
    ["notice"],
    ["generate"],
    ["bench"],
    ["serve"],
    ["worker"],
    ["scenario"],
    ["scenario", "check"],
    ["scenario", "run"],
    ["scenario", "compare"],
    ["scenario", "robustness"],
    ["scenario", "bench-replan"],
    ["user"],
    ["user", "add"],
    ["user", "list"],
    ["user", "token"],
    ["user", "password"],
]


class Runner(CliRunner):
    """A wide terminal, and the program named as a planner calls it."""

    def __init__(self) -> None:
        super().__init__(env={"COLUMNS": "200", "NO_COLOR": "1"})

    def invoke(self, *args: Any, **kwargs: Any) -> Result:  # type: ignore[override]
        kwargs.setdefault("prog_name", "phancong")
        return super().invoke(*args, **kwargs)


def flat(text: str) -> str:
    """``text`` with its line breaks and runs of spaces as one space (no-break spaces kept)."""
    return re.sub(r"[ \n]+", " ", text)


@pytest.fixture
def runner() -> CliRunner:
    return Runner()


# --- A5: the help --------------------------------------------------------------------------


@pytest.mark.parametrize("command", COMMANDS, ids=lambda c: " ".join(c) or "phancong")
def test_every_help_is_vietnamese(runner: CliRunner, command: list[str]) -> None:
    result = runner.invoke(app, [*command, "--help"])
    assert result.exit_code == 0, result.output
    assert result.output.startswith(f"Cách dùng: phancong {' '.join(command)}".replace("  ", " ").rstrip() + " ")
    assert "Hiện hướng dẫn này rồi thoát." in result.output
    assert not ENGLISH.search(result.output), ENGLISH.search(result.output)


def test_help_writes_types_ranges_and_defaults_in_vietnamese(runner: CliRunner) -> None:
    output = runner.invoke(app, ["solve", "--help"]).output
    assert "--time-limit <số>" in output
    output = flat(output)  # the help wraps at 80 columns at most
    assert "Cách dùng: phancong solve [TÙY CHỌN] {TỆP_BÀI_TOÁN}" in output
    for section in ("Tham số:", "Tùy chọn:"):
        assert f" {section} " in output
    assert "TỆP_BÀI_TOÁN <đường dẫn>" in output
    assert "[bắt buộc]" in output
    assert f"[mặc định: 60; ≥{NBSP}0,1]" in output
    assert "--workers <số nguyên>" in output
    assert f"[≥{NBSP}1]" in output
    generate = flat(runner.invoke(app, ["generate", "--help"]).output)
    assert "[mặc định: 0,15; từ 0 đến 1]" in generate  # --flags: decimal comma
    assert "[mặc định: 1; từ 1 đến 24]" in generate  # --months
    assert "\nLệnh:\n" in runner.invoke(app, ["--help"]).output


def test_the_real_help_wraps_without_splitting_a_bound(tmp_path: Path) -> None:
    """Through the console script, on an 80-column terminal: still Vietnamese, and "≥" is
    never left at the end of a line away from its number."""
    done = phancong("solve", "--help")
    assert done.returncode == 0
    assert done.stdout.startswith("Cách dùng: phancong solve")
    assert not re.search(r"[≥≤]\s*\n", done.stdout)
    assert not ENGLISH.search(done.stdout)


def test_generate_flags_help_names_the_levels_as_the_pages_do(runner: CliRunner) -> None:
    """A9: the flag levels are "Cần quan tâm" and "Phức tạp" (mức quan tâm), not other words."""
    output = flat(runner.invoke(app, ["generate", "--help"]).output)
    assert "“Cần quan tâm” hoặc “Phức tạp”" in output
    assert "nghiêm trọng" not in output
    assert "chú ý" not in output


# --- A4: usage errors ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("args", "said"),
    [
        (["solve", "x.json", "--time-limit", "-1"], "Lỗi: --time-limit phải ≥ 0,1 (đã nhập -1)"),
        (["solve", "x.json", "--time-limit", "0,05"], "Lỗi: --time-limit phải ≥ 0,1 (đã nhập 0,05)"),
        (["solve", "x.json", "--time-limit", "abc"], "Lỗi: --time-limit phải là một số (đã nhập abc)"),
        (["generate", "--communes", "0"], "Lỗi: --communes phải ≥ 1 (đã nhập 0)"),
        (["generate", "--flags", "1,5"], "Lỗi: --flags phải từ 0 đến 1 (đã nhập 1,5)"),
        (["generate", "--seed", "1.5"], "Lỗi: --seed phải là số nguyên (đã nhập 1.5)"),
        (["user", "add"], "Lỗi: thiếu tham số TÊN_ĐĂNG_NHẬP"),
        (["template"], "Lỗi: thiếu tùy chọn --out"),
        (["user", "list", "--bogus"], "Lỗi: không có tùy chọn --bogus"),
        (["bogus"], "Lỗi: không có lệnh 'bogus'"),
        (["scenari"], "Lỗi: không có lệnh 'scenari' (có phải: scenario"),
        (["scenario", "bogus"], "Lỗi: không có lệnh 'bogus'"),
        (["validate", "a.json", "b.json"], "Lỗi: thừa tham số: b.json"),
        (["solve", "x.json", "--out"], "Lỗi: tùy chọn --out cần một giá trị"),
        (["score", "--json=1", "a", "b"], "Lỗi: tùy chọn --json không nhận giá trị"),
    ],
)
def test_usage_errors_are_vietnamese_with_exit_code_2(runner: CliRunner, args: list[str], said: str) -> None:
    result = runner.invoke(app, args)
    assert result.exit_code == 2, result.output
    assert said in result.output
    assert "Cách dùng: phancong " in result.output
    assert "Xem hướng dẫn: phancong " in result.output
    assert not ENGLISH.search(result.output), ENGLISH.search(result.output)


def test_the_real_command_says_a_range_error_in_vietnamese() -> None:
    done = phancong("solve", "x.json", "--time-limit", "-1")
    assert done.returncode == 2
    assert done.stderr.rstrip().endswith("Lỗi: --time-limit phải ≥ 0,1 (đã nhập -1)")
    assert not ENGLISH.search(done.stderr)


def test_a_number_option_takes_the_decimal_comma(runner: CliRunner, tmp_path: Path) -> None:
    """The help writes 0,15; a planner typing it back is understood."""
    target = tmp_path / "g.json"
    args = ["generate", "--communes", "3", "--delegates", "12", "--flags", "0,5", "--out", str(target)]
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    assert "flags=0.5" in json.loads(target.read_text(encoding="utf-8"))["name"]


# --- A7, C3: human output ------------------------------------------------------------------


def test_solve_summary_writes_seconds_with_the_decimal_comma(tmp_path: Path) -> None:
    done = phancong("solve", write(tmp_path / "ok.json", valid()), "--time-limit", "10", "--quiet")
    assert done.returncode == 0, done.stderr
    summary = done.stdout.strip().splitlines()[-1]
    assert re.search(r"· \d+,\d\d giây$", summary), summary  # no backend name (auto/…) either
    assert not re.search(r"\d\.\d+ giây", done.stdout)


def test_input_errors_name_the_file_without_english(tmp_path: Path) -> None:
    """C3, A8: "Tệp bài toán" without "(instance)"; the system's and the decoder's reasons in Vietnamese."""
    missing = phancong("validate", tmp_path / "khong-co.json")
    assert missing.returncode == 2
    assert "Tệp bài toán không hợp lệ" in missing.stderr
    assert "(instance)" not in missing.stderr
    assert "không mở được tệp: không có tệp này" in missing.stderr
    assert "không mở được tệp: không có tệp này" in phancong("validate", tmp_path / "khong-co.xlsx").stderr
    (tmp_path / "bad.json").write_text("không phải JSON", encoding="utf-8")
    bad = phancong("validate", tmp_path / "bad.json")
    assert bad.returncode == 2
    assert '"dòng 1, cột 1": JSON không đọc được: thiếu giá trị' in bad.stderr
    (tmp_path / "comma.json").write_text('{"a": 1,}', encoding="utf-8")
    comma = phancong("validate", tmp_path / "comma.json")
    assert "JSON không đọc được: tên trường phải trong ngoặc kép" in comma.stderr
    for done in (missing, bad):
        assert not ENGLISH.search(done.stderr), done.stderr


def test_an_out_folder_that_cannot_be_made_is_refused_in_vietnamese(tmp_path: Path) -> None:
    """D2/A8: a folder that cannot be created is refused before the solve, with the reason in
    Vietnamese; a missing one that can is created (README)."""
    blocker = tmp_path / "tệp"
    blocker.write_text("x")
    instance = write(tmp_path / "ok.json", valid())
    done = phancong("solve", instance, "--out", blocker / "con" / "x.json")
    assert done.returncode == 2
    assert "không tạo được thư mục" in done.stderr
    assert "(một phần của đường dẫn không phải thư mục)" in done.stderr
    assert not ENGLISH.search(done.stderr), done.stderr
    made = tmp_path / "mới" / "x.json"
    assert phancong("solve", instance, "--out", made, "--quiet").returncode == 0
    assert made.is_file()


def test_user_list_gives_the_role_as_user_add_takes_it(
    runner: CliRunner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The list's columns are read by scripts: the role as ``--role`` takes it; ``add``
    says it in words."""
    monkeypatch.setenv("PHANCONG_DATABASE_URL", f"sqlite:///{tmp_path / 'cli.db'}")
    added = runner.invoke(app, ["user", "add", "canbo", "--role", "planner", "--password-stdin"], input="mat-khau-1\n")
    assert added.exit_code == 0, added.output
    assert "(Cán bộ Ban Tuyên giáo)" in added.output
    listed = runner.invoke(app, ["user", "list"])
    assert listed.exit_code == 0, listed.output
    assert "\tcanbo\tplanner\t" in listed.output


def test_serve_help_has_no_role_value(runner: CliRunner) -> None:
    assert "(planner)" not in runner.invoke(app, ["serve", "--help"]).output


# --- D3: generate makes what was asked -----------------------------------------------------


@pytest.mark.parametrize("delegates", [2, 3, 5, 8, 9, 10, 11, 45])
def test_generate_makes_the_delegates_asked(runner: CliRunner, tmp_path: Path, delegates: int) -> None:
    target = tmp_path / "g.json"
    result = runner.invoke(app, ["generate", "--communes", "4", "--delegates", str(delegates), "--out", str(target)])
    assert result.exit_code == 0, result.output
    assert f"{delegates} đại biểu" in result.output
    assert len(json.loads(target.read_text(encoding="utf-8"))["delegates"]) == delegates
    assert f"{delegates} đại biểu" in runner.invoke(app, ["validate", str(target)]).output

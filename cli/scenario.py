"""``phancong scenario``: what-if scenarios, re-planning with minimal change, robustness.

A typer sub-app (``scenario_app``), registered by ``cli.main``. Exit codes as the main
command: 0 a schedule for every scenario; 1 one with empty seats (partial); 2 bad input,
or no schedule possible. Nothing here writes to a scenario's base or published files.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from cli import render, vietnamese
from models.errors import InputError
from models.labels import STATUS_LABELS, TIER_LABELS, number_vn
from scenarios.scenario import MODE_LABELS, MODES, Mode, Scenario

if TYPE_CHECKING:  # the heavy modules load only when a command runs
    from models.instance import Instance
    from models.storage.db import Database
    from scenarios.robustness import Robustness
    from scenarios.runner import BaseCache, ScenarioOutcome
    from scenarios.wording import Names

scenario_app = vietnamese.Typer(
    add_completion=False,
    no_args_is_help=True,
    help="Kịch bản giả định, lập lại lịch với ít thay đổi nhất, độ vững của lịch.",
    rich_markup_mode=None,
)

EXIT_OK, EXIT_PARTIAL, EXIT_BAD = 0, 1, 2

ModeOption = Annotated[
    str | None,
    typer.Option("--mode", help="weighted (mặc định), changes_first (ít thay đổi nhất trước) hoặc fresh"),
]
TimeLimit = Annotated[float, typer.Option("--time-limit", min=0.1, help="Giới hạn thời gian mỗi lần giải (giây)")]
Workers = Annotated[int | None, typer.Option("--workers", min=1, help="Số luồng tính toán")]


def _out() -> Console:
    # Made per command, not at import: the width comes from the terminal (or COLUMNS) then.
    return Console(highlight=False, soft_wrap=True)


def _err() -> Console:
    return Console(stderr=True, highlight=False, soft_wrap=True)


def _mode(value: str | None) -> Mode | None:
    if value is not None and value not in MODES:
        _err().print(f"[red]Lỗi:[/red] chế độ không có: {value} (chọn {', '.join(MODES)})")
        raise typer.Exit(EXIT_BAD)
    return value  # type: ignore[return-value]


def _load(paths: Sequence[Path]) -> list[Scenario]:
    from scenarios.scenario import load_scenario

    scenarios, failed = [], False
    for path in paths:
        try:
            scenarios.append(load_scenario(path))
        except InputError as error:
            render.print_input_error(_err(), error)
            failed = True
    if failed:
        raise typer.Exit(EXIT_BAD)
    return scenarios


@scenario_app.command()
def check(files: Annotated[list[Path], typer.Argument(metavar="TỆP_KỊCH_BẢN", help="Tệp kịch bản (YAML)")]) -> None:
    """Kiểm tra kịch bản: kiểu thay đổi, mã tham chiếu, bài toán sau thay đổi (không giải)."""
    from models.io import instance_from_document
    from scenarios.published import read_published
    from scenarios.scenario import build, read_base
    from scenarios.wording import Names

    out, failed = _out(), False
    for scenario in _load(files):
        try:
            document = read_base(scenario.base)
            base = instance_from_document(document)
            built = build(document, scenario.changes, read_published(scenario.published, base), scenario.what)
        except InputError as error:
            render.print_input_error(_err(), error)
            failed = True
            continue
        names = Names(base, built.instance)
        out.print(f"[bold]{scenario.name}[/bold]: hợp lệ, {len(scenario.changes)} thay đổi.")
        _print_changes(out, scenario, names)
        for note in built.notes:
            out.print(f"[yellow]Lưu ý:[/yellow] {note}")
    raise typer.Exit(EXIT_BAD if failed else EXIT_OK)


@scenario_app.command()
def run(
    file: Annotated[Path, typer.Argument(metavar="TỆP_KỊCH_BẢN", help="Tệp kịch bản (YAML)")],
    mode: ModeOption = None,
    time_limit: TimeLimit = 60.0,
    workers: Workers = None,
    out_path: Annotated[Path | None, typer.Option("--out", help="Ghi lịch mới ra tệp JSON phancong-solution/1")] = None,
    show_schedule: Annotated[bool, typer.Option("--schedule", help="In cả lịch mới")] = False,
) -> None:
    """Giải một kịch bản: lịch mới, điểm, và các phân công thay đổi so với lịch gốc kèm lý do."""
    from models.io import os_reason, write_solution
    from scenarios.runner import BASE_SOURCE_LABELS
    from scenarios.wording import Names

    chosen = _mode(mode)
    (scenario,) = _load([file])
    _refuse_overwrite(out_path, scenario)
    outcome = _run(scenario, chosen, time_limit, workers)
    out, result = _out(), outcome.result
    names = Names(outcome.instance, outcome.base.instance)
    out.print(f"[bold]Kịch bản: {scenario.name}[/bold]")
    if scenario.description:
        out.print(scenario.description)
    out.print(f"Lịch gốc: {scenario.base.name} — {BASE_SOURCE_LABELS[outcome.base.source]}")
    out.print(f"Chế độ: {MODE_LABELS[outcome.mode]}")  # the label, not the value typed after --mode
    _print_changes(out, scenario, Names(outcome.base.instance, outcome.instance))  # as they were before
    for note in outcome.notes:
        out.print(f"[yellow]Lưu ý:[/yellow] {note}")
    if result.status == "infeasible":
        _err().print("[bold red]Không lập được lịch:[/bold red]")
        for problem in result.problems:
            _err().print(f"  • {problem}", markup=False)
        raise typer.Exit(EXIT_BAD)
    if out_path is not None:
        try:
            write_solution(result.to_solution(outcome.instance), out_path)
        except OSError as error:
            _err().print(f"[red]Lỗi:[/red] không ghi được tệp {out_path}: {os_reason(error, writing=True)}")
            raise typer.Exit(EXIT_BAD) from None
    if show_schedule:
        out.print(render.schedule_table(outcome.instance, result))
    out.print(_changes_table(outcome, names))
    assert result.report is not None
    weights = {t: outcome.instance.rules.weight(t) for t in result.report.terms}
    out.print(render.score_table(result.report, weights, outcome.instance.rules.rotation_months))
    for gap in result.gaps:
        out.print(f"[yellow]• {names.meeting(gap.meeting)}:[/yellow] {gap.reason}")
    out.print(_proof(outcome))
    out.print(render.summary(result))
    if out_path is not None:
        out.print(f"Đã ghi lịch mới vào {out_path}")
    raise typer.Exit(EXIT_PARTIAL if result.status == "partial" else EXIT_OK)


@scenario_app.command()
def compare(
    files: Annotated[list[Path], typer.Argument(metavar="TỆP_KỊCH_BẢN", help="Các tệp kịch bản (YAML)")],
    mode: ModeOption = None,
    time_limit: TimeLimit = 60.0,
    workers: Workers = None,
    queue: Annotated[
        bool,
        typer.Option(
            "--queue", help="Mỗi kịch bản là một lượt trong hàng đợi, do các phancong worker giải (PostgreSQL)"
        ),
    ] = False,
) -> None:
    """So sánh các kịch bản cạnh nhau: trạng thái, điểm từng tiêu chí, số chỗ thay đổi."""
    from scenarios import compare as figures
    from scenarios.runner import BaseCache
    from scenarios.wording import Names

    chosen = _mode(mode)
    scenarios = _load(files)
    cache = BaseCache()
    if queue:
        outcomes = _compare_on_queue(scenarios, chosen, time_limit, workers, cache)
    else:
        outcomes = [_run(s, chosen, time_limit, workers, cache) for s in scenarios]
    columns = [figures.of_outcome(o) for o in outcomes]
    if len(cache.bases) == 1:  # one common base: show it as the first column
        columns.insert(0, figures.of_base(next(iter(cache.bases.values()))))
    table = Table(title="So sánh kịch bản")
    table.add_column("Chỉ số", no_wrap=True)
    for column in columns:
        table.add_column(column.title, justify="right")
    for label, cells in figures.rows(columns):
        table.add_row(label, *cells)
    out = _out()
    out.print(table)
    for outcome in outcomes:
        if outcome.result.status != "infeasible":
            out.print(_changes_table(outcome, Names(outcome.instance, outcome.base.instance)))
        else:
            out.print(f"[red]{outcome.name}: không lập được lịch[/red] — " + "; ".join(outcome.result.problems))
    statuses = {o.result.status for o in outcomes}
    raise typer.Exit(EXIT_BAD if "infeasible" in statuses else EXIT_PARTIAL if "partial" in statuses else EXIT_OK)


@scenario_app.command()
def robustness(
    base: Annotated[Path, typer.Argument(metavar="TỆP_BÀI_TOÁN", help="Tệp bài toán gốc (JSON phancong-instance/1)")],
    published: Annotated[
        Path | None, typer.Option("--published", help="Lịch đã công bố; không có thì lập lịch tối ưu trước")
    ] = None,
    processes: Annotated[int, typer.Option("--processes", min=1, help="Số tiến trình giải song song")] = 2,
    time_limit: Annotated[float, typer.Option("--time-limit", min=0.1, help="Giới hạn mỗi lần giải lại (giây)")] = 10.0,
    days: Annotated[bool, typer.Option("--days/--no-days", help="Xét cả vắng từng ngày có lịch")] = True,
    top: Annotated[int, typer.Option("--top", min=1, help="Số dòng mỗi bảng")] = 10,
    queue: Annotated[
        bool,
        typer.Option(
            "--queue", help="Mỗi lần giải lại là một lượt trong hàng đợi, do các phancong worker giải (PostgreSQL)"
        ),
    ] = False,
) -> None:
    """Độ vững của lịch: đại biểu vắng thì phải đổi bao nhiêu phân công; chỗ nào khó thay người."""
    from api.fanout import FanoutFailed, robustness_on_queue
    from scenarios.robustness import Answer, SolveAll, analyse
    from scenarios.runner import load_base

    solve_all: SolveAll | None = None
    database = _queue_database() if queue else None
    try:
        loaded = load_base(base, published, time_limit=max(time_limit, 30.0))
    except InputError as error:
        render.print_input_error(_err(), error)
        raise typer.Exit(EXIT_BAD) from None
    progress = Progress(
        TextColumn("Giải lại"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(), console=_err(), transient=True
    )
    task = progress.add_task("giải", total=None)

    def started(total: int) -> None:
        progress.update(task, total=total)

    def done(_: Answer) -> None:
        progress.advance(task)

    if database is not None:
        solve_all = robustness_on_queue(database, loaded.document, loaded.pairs, time_limit)
    try:
        with progress:
            report = analyse(
                loaded.document,
                loaded.pairs,
                processes=processes,
                time_limit=time_limit,
                days=days,
                on_start=started,
                on_done=done,
                solve_all=solve_all,
            )
    except FanoutFailed as error:
        _err().print(f"[red]Lỗi:[/red] {error}", markup=True)
        raise typer.Exit(EXIT_PARTIAL) from None
    finally:
        if database is not None:
            database.dispose()
    _print_robustness(report, loaded.instance, top)
    _err().print(f"Thời gian: {number_vn(report.seconds, 1)} giây", markup=False)


@scenario_app.command("bench-replan")
def bench_replan(
    communes: Annotated[int, typer.Option("--communes", min=1, help="Số xã/phường")] = 168,
    delegates: Annotated[int, typer.Option("--delegates", min=2, help="Số đại biểu")] = 300,
    seeds: Annotated[int, typer.Option("--seeds", min=1, help="Số bài toán (hạt giống 1, 2, …)")] = 3,
    mode: Annotated[str, typer.Option("--mode", help="weighted hoặc changes_first")] = "weighted",
    base_time_limit: Annotated[float, typer.Option("--base-time-limit", min=0.1, help="Giây để lập lịch gốc")] = 60.0,
    time_limit: TimeLimit = 30.0,
    workers: Workers = None,
) -> None:
    """Đo thời gian lập lại lịch khi một đại biểu nghỉ ốm (mục tiêu: dưới 2 giây)."""
    from scenarios.bench import Run
    from scenarios.bench import bench_replan as run_bench

    chosen = _mode(mode) or "weighted"
    out = _out()
    out.print(f"Lập lại lịch khi một đại biểu nghỉ ốm 3 ngày: {communes} xã, {delegates} đại biểu, {seeds} bài toán.")

    def show(r: Run) -> None:
        out.print(
            f"  hạt giống {r.seed}: {r.delegate} nghỉ từ {r.start:%d/%m} · lịch gốc {STATUS_LABELS[r.base_status]} "
            f"{number_vn(r.base_seconds, 1)} giây · áp dụng + kiểm tra {number_vn(r.apply_seconds, 2)} "
            f"+ giải {number_vn(r.solve_seconds, 2)} "
            f"= [bold]{number_vn(r.seconds, 2)} giây[/bold] · {STATUS_LABELS[r.status]}, {r.changes} thay đổi"
            # an optimal status already says it is proved
            + (" (đã chứng minh là ít nhất)" if r.proved and r.status != "optimal" else "")
        )

    _, summary = run_bench(
        communes,
        delegates,
        seeds,
        mode=chosen,
        base_time_limit=base_time_limit,
        time_limit=time_limit,
        workers=workers,
        on_run=show,
    )
    out.print(
        f"Trung vị: [bold]{number_vn(summary.median_seconds, 2)} giây[/bold] "
        f"(riêng phần giải {number_vn(summary.median_solve_seconds, 2)} giây), "
        f"chậm nhất {number_vn(summary.worst_seconds, 2)} giây."
    )


# --- helpers ---------------------------------------------------------------------------------


def _run(
    scenario: Scenario, mode: Mode | None, time_limit: float, workers: int | None, cache: BaseCache | None = None
) -> ScenarioOutcome:
    from scenarios.runner import run_scenario

    try:
        return run_scenario(scenario, time_limit=time_limit, mode=mode, workers=workers, cache=cache)
    except InputError as error:
        render.print_input_error(_err(), error)
        raise typer.Exit(EXIT_BAD) from None


def _queue_database() -> Database:
    """The shared PostgreSQL database the workers take their jobs from (``--queue``)."""
    from api.settings import Settings
    from models.storage.db import Database

    database = Database.connect(Settings().database_url)
    if database.backend != "postgresql":
        database.dispose()
        _err().print("[red]Lỗi:[/red] --queue cần PostgreSQL (PHANCONG_DATABASE_URL=postgresql://…)", markup=True)
        raise typer.Exit(EXIT_BAD)
    return database


def _compare_on_queue(
    scenarios: list[Scenario], mode: Mode | None, time_limit: float, workers: int | None, cache: BaseCache
) -> list[ScenarioOutcome]:
    """``compare --queue``: the bases read (or solved) here, once each; each scenario a job."""
    from api.fanout import FanoutFailed, compare_on_queue

    database = _queue_database()
    progress = Progress(
        TextColumn("Kịch bản"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(), console=_err(), transient=True
    )
    task = progress.add_task("giải", total=len(scenarios))
    try:
        runs = [(s, cache.get(s, time_limit=time_limit, workers=workers)) for s in scenarios]
        with progress:
            return compare_on_queue(database, runs, mode, time_limit, on_done=lambda: progress.advance(task))
    except InputError as error:
        render.print_input_error(_err(), error)
        raise typer.Exit(EXIT_BAD) from None
    except FanoutFailed as error:
        _err().print(f"[red]Lỗi:[/red] {error}", markup=True)
        raise typer.Exit(EXIT_PARTIAL) from None
    finally:
        database.dispose()


def _refuse_overwrite(out_path: Path | None, scenario: Scenario) -> None:
    """The published notice and the base month are records: a run never writes over them.
    An ``--out`` that cannot be written is refused too, before the solve, as ``solve`` does."""
    from cli.documents import unwritable

    if out_path is None:
        return
    kept = [p for p in (scenario.base, scenario.published, scenario.source) if p is not None]
    if any(out_path.resolve() == p.resolve() for p in kept):
        _err().print(f"[red]Lỗi:[/red] không ghi đè tệp gốc hay lịch đã công bố: {out_path}")
        raise typer.Exit(EXIT_BAD)
    problem = unwritable(out_path)
    if problem is not None:
        _err().print(f"[red]Lỗi:[/red] --out {out_path}: {problem}", markup=True)
        raise typer.Exit(EXIT_BAD)


def _print_changes(out: Console, scenario: Scenario, names: Names) -> None:
    from scenarios.wording import describe

    if not scenario.changes:
        out.print("Không có thay đổi nào (giữ nguyên tháng gốc).")
        return
    out.print("Các thay đổi:")
    for i, change in enumerate(scenario.changes, 1):
        out.print(f"  {i}. {describe(change, names)}", markup=False)


def _changes_table(outcome: ScenarioOutcome, names: Names) -> Table | str:
    if not outcome.changes:
        return f"[green]{outcome.name}: lịch không thay đổi so với lịch gốc.[/green]"
    table = Table(
        title=f"Phân công thay đổi — {outcome.name} ({outcome.changed_seats} chỗ, {len(outcome.changes)} hội nghị)"
    )
    for header in ("Hội nghị", "Trước", "Sau", "Lý do"):
        table.add_column(header)
    for change in outcome.changes:
        table.add_row(
            names.meeting(change.meeting),
            names.delegates(change.before),
            names.delegates(change.after),
            change.reason,
        )
    return table


def _proof(outcome: ScenarioOutcome) -> str:
    from scenarios.replan import changes_proved

    result = outcome.result
    changes = result.report.terms.get("changes", 0) if result.report is not None else 0
    if outcome.mode == "fresh":
        return "Lập lại từ đầu: không tính điểm thay đổi so với lịch gốc."
    if not changes_proved(result, outcome.mode):
        return f"Giữ lịch gốc: {changes} phân công đã công bố bị thay (chưa chứng minh là ít nhất)."
    if outcome.mode == "changes_first":
        return f"Giữ lịch gốc: {changes} phân công đã công bố bị thay — đã chứng minh là ít nhất có thể."
    # With empty seats the solver first makes them as few as possible, then the score.
    among = "trong các lịch ít chỗ trống nhất, " if result.status == "partial" else ""
    return (
        f"Giữ lịch gốc: {changes} phân công đã công bố bị thay — tối ưu đã chứng minh với các trọng số hiện tại: "
        f"{among}không lịch nào có tổng điểm thấp hơn, kể cả điểm thay đổi."
    )


def _print_robustness(report: Robustness, instance: Instance, top: int) -> None:
    from scenarios.wording import Names as Names_
    from scenarios.wording import day

    out, names = _out(), Names_(instance)
    table = Table(title="Đại biểu vắng thì lịch phải đổi nhiều nhất")
    for header in ("Đại biểu", "Chức vụ", "Số buổi", "Vắng cả tháng: phải đổi", "Vắng từng ngày: phải đổi"):
        table.add_column(header)
    for cost in report.delegates[:top]:
        person = instance.delegate(cost.delegate)
        month = f"{cost.month.changes}" + (f" (trống {cost.month.unfilled})" if cost.month.unfilled else "")
        month += "" if cost.month.proved else " *"
        daily = ", ".join(f"{day(a.absence.start)}: {a.changes}" + ("" if a.proved else "*") for a in cost.days)
        table.add_row(
            names.delegate(cost.delegate),
            person.title or TIER_LABELS[person.tier],
            str(cost.assignments),
            month,
            daily or "—",
        )
    out.print(table)
    seats = Table(title="Chỗ khó tìm người thay nhất")
    for header in ("Hội nghị", "Đại biểu", "Có thể thay", "Thay ngay được"):
        seats.add_column(header)
    for seat in report.seats[:top]:
        seats.add_row(names.meeting(seat.meeting), names.delegate(seat.delegate), str(seat.eligible), str(seat.free))
    out.print(seats)
    out.print(
        "* chưa chứng minh là ít nhất trong thời gian cho phép. "
        f"{len(report.delegates)} đại biểu có lịch, {number_vn(report.seconds, 1)} giây."
    )


if __name__ == "__main__":
    scenario_app()

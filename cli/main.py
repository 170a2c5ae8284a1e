"""The ``phancong`` command.

Exit codes (all commands): 0 success (a solve: optimal or feasible); 1 a schedule with
gaps (``solve``: partial) or one that breaks a hard rule (``score``); 2 bad input, or no
schedule possible (``solve``: infeasible).
"""

from __future__ import annotations

import time

_STARTED = time.perf_counter()  # the time limit of `solve` counts from process start

import json  # noqa: E402
import os  # noqa: E402
import sys  # noqa: E402
import threading  # noqa: E402
from pathlib import Path  # noqa: E402
from typing import Annotated  # noqa: E402

import typer  # noqa: E402
from rich.console import Console  # noqa: E402

from cli import documents as docs  # noqa: E402
from cli import render, vietnamese  # noqa: E402
from models.errors import InputError  # noqa: E402
from models.labels import number_vn  # noqa: E402

app = vietnamese.Typer(
    add_completion=False,
    no_args_is_help=True,
    help="phancong — phân công đại biểu dự, chỉ đạo hội nghị tuyên vận.",
    rich_markup_mode=None,
)
out = Console(highlight=False, soft_wrap=True)
err = Console(stderr=True, highlight=False, soft_wrap=True)

EXIT_OK, EXIT_PARTIAL, EXIT_BAD = 0, 1, 2
#: Seconds kept back from `--time-limit` to score, explain and write the result.
RESERVE = 0.5


def _register_subcommands() -> None:
    from cli.scenario import scenario_app
    from cli.users import user_app

    app.add_typer(scenario_app, name="scenario", help="Kịch bản giả định, lập lại lịch, độ vững.")
    app.add_typer(user_app, name="user", help="Tài khoản: thêm, liệt kê, cấp mã truy cập, đặt mật khẩu.")


_register_subcommands()


def _load(path: Path):  # type: ignore[no-untyped-def]
    from cli.documents import load_instance_file

    try:
        return load_instance_file(path)
    except InputError as error:
        render.print_input_error(err, error)
        raise typer.Exit(EXIT_BAD) from None


def _load_schedule(path: Path, instance):  # type: ignore[no-untyped-def]
    try:
        schedule = docs.load_solution_file(path, instance)
    except InputError as error:
        render.print_input_error(err, error)
        raise typer.Exit(EXIT_BAD) from None
    if schedule.instance is not None and instance.name is not None and schedule.instance != instance.name:
        # Paired with another instance, its ids would mean other meetings and people.
        err.print(
            f"[red]Lỗi:[/red] {path} là lịch của bài toán {schedule.instance!r}, không phải {instance.name!r}",
            markup=True,
        )
        raise typer.Exit(EXIT_BAD)
    return schedule


@app.command()
def validate(
    instance: Annotated[
        Path, typer.Argument(metavar="TỆP_BÀI_TOÁN", help="Tệp bài toán (.json phancong-instance/1 hoặc .xlsx)")
    ],
) -> None:
    """Kiểm tra tệp bài toán: định dạng, mã trùng, tham chiếu, ngày tháng, đường đi."""
    loaded = _load(instance)
    out.print(
        f"Hợp lệ: {len(loaded.communes)} xã/phường, {len(loaded.delegates)} đại biểu, "
        f"{len(loaded.meetings)} hội nghị, {len(loaded.history.attendances)} lượt dự trước đây."
    )


@app.command()
@docs.notice_options
def solve(
    instance: Annotated[
        Path, typer.Argument(metavar="TỆP_BÀI_TOÁN", help="Tệp bài toán (.json phancong-instance/1 hoặc .xlsx)")
    ],
    out_path: Annotated[
        Path | None,
        typer.Option(
            "--out", help="Ghi lịch ra tệp: .json (phancong-solution/1), .xlsx (bảng lịch), .docx/.pdf (thông báo)"
        ),
    ] = None,
    time_limit: Annotated[float, typer.Option("--time-limit", min=0.1, help="Giới hạn thời gian (giây)")] = 60.0,
    workers: Annotated[int | None, typer.Option("--workers", min=1, help="Số luồng tính toán")] = None,
    backend: Annotated[str, typer.Option("--backend", help="auto, cpsat hoặc pulp")] = "auto",
    mip_solver: Annotated[str, typer.Option("--mip-solver", help="Với pulp: highs hoặc cbc")] = "highs",
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="Không in bảng lịch")] = False,
    rolling: Annotated[
        bool, typer.Option("--rolling", help="Nhiều tháng: lập từng tháng một, chỉ biết các tháng trước")
    ] = False,
    *,
    options: docs.NoticeOptions,
) -> None:
    """Lập lịch phân công tốt nhất trong thời gian cho phép."""
    from solver import SolveError
    from solver import solve as run_solve

    loaded = _load(instance)
    if out_path is not None:
        _not_the_input(out_path, instance)
        _check_output(out_path)
    budget = max(0.1, time_limit - (time.perf_counter() - _STARTED) - RESERVE)
    progress = _Progress()
    try:
        result = run_solve(
            loaded,
            backend=backend,  # type: ignore[arg-type]
            time_limit=budget,
            workers=workers,
            on_progress=progress,
            mip_solver=mip_solver,
            rolling=rolling,
        )
    except SolveError as error:
        err.print(f"[red]Lỗi:[/red] {error}")
        raise typer.Exit(EXIT_BAD) from None
    progress.done()
    if out_path is not None:
        # Infeasible too: the exchange format says so, with the reason per meeting.
        docs.write_output(loaded, result.to_solution(loaded), out_path, options)
    if result.status == "infeasible":
        err.print("[bold red]Không lập được lịch:[/bold red]")
        for problem in result.problems:
            err.print(f"  • {problem}", markup=False)
        if out_path is not None:
            err.print(f"Đã ghi trạng thái vào {out_path}")
        _exit_now(EXIT_BAD)
    if not quiet:
        out.print(render.schedule_table(loaded, result))
    assert result.report is not None
    weights = {t: loaded.rules.weight(t) for t in result.report.terms}
    out.print(render.score_table(result.report, weights, rotation_months=loaded.rules.rotation_months))
    for gap in result.gaps:
        out.print(f"[yellow]• {gap.meeting}:[/yellow] {gap.reason}")
    out.print(render.summary(result))
    if out_path is not None:
        out.print(f"Đã ghi lịch vào {out_path}")
    _exit_now(EXIT_PARTIAL if result.status == "partial" else EXIT_OK)


@app.command()
def score(
    instance: Annotated[Path, typer.Argument(metavar="TỆP_BÀI_TOÁN", help="Tệp bài toán")],
    solution: Annotated[
        Path, typer.Argument(metavar="TỆP_LỊCH", help="Tệp lịch (.json phancong-solution/1 hoặc bảng lịch .xlsx)")
    ],
    as_json: Annotated[bool, typer.Option("--json", help="In kết quả dạng JSON")] = False,
) -> None:
    """Chấm điểm một lịch bất kỳ theo RULES.md (độc lập với bộ giải)."""
    from solver import score as run_score

    loaded = _load(instance)
    schedule = _load_schedule(solution, loaded)
    report = run_score(loaded, schedule.pairs())
    if as_json:
        document = {
            "total": report.total,
            "terms": report.terms,
            "violations": [v.__dict__ for v in report.violations],
        }
        out.print_json(json.dumps(document, ensure_ascii=False))
    else:
        weights = {t: loaded.rules.weight(t) for t in report.terms}
        out.print(render.score_table(report, weights, rotation_months=loaded.rules.rotation_months))
        for violation in report.violations:
            where = " ".join(filter(None, [violation.meeting, violation.delegate]))
            out.print(f"[red]Vi phạm {violation.rule}[/red] {where}: {violation.message}")
        if schedule.score is not None and schedule.score.total != report.total:
            out.print(
                f"[yellow]Điểm ghi trong tệp ({schedule.score.total}) khác điểm chấm lại ({report.total}).[/yellow]"
            )
    raise typer.Exit(EXIT_PARTIAL if report.violations or report.terms.get("unfilled", 0) else EXIT_OK)


@app.command()
def convert(
    source: Annotated[
        Path, typer.Argument(metavar="TỆP_NGUỒN", help="Tệp nguồn: bài toán hoặc lịch phân công (.json hoặc .xlsx)")
    ],
    target: Annotated[Path, typer.Argument(metavar="TỆP_ĐÍCH", help="Tệp đích (.xlsx hoặc .json)")],
    instance: Annotated[
        Path | None,
        typer.Option("--instance", help="Khi nguồn là lịch phân công: tệp bài toán của lịch (.json hoặc .xlsx)"),
    ] = None,
) -> None:
    """Chuyển tệp bài toán hoặc lịch phân công giữa JSON và Excel (giữ nguyên mã và giá trị).

    Nguồn là lịch phân công (phancong-solution/1, hoặc bảng lịch Excel) thì cần --instance:
    tên, ngày giờ, đơn vị của bảng lịch lấy từ bài toán.
    """
    from models.io import dump_json, instance_to_document
    from models.storage.excel import instance_workbook

    if target.suffix.lower() not in docs.INSTANCE_SUFFIXES:
        err.print(f"[red]Lỗi:[/red] {target}: tệp đích phải là .json hoặc .xlsx")
        raise typer.Exit(EXIT_BAD)
    kind = docs.file_kind(source)
    if kind == "solution" and instance is None:
        err.print(f"[red]Lỗi:[/red] {source} là lịch phân công: thêm --instance TỆP_BÀI_TOÁN")
        raise typer.Exit(EXIT_BAD)
    if kind == "instance" and instance is not None:
        err.print(f"[red]Lỗi:[/red] --instance chỉ dùng khi nguồn là lịch phân công; {source} là tệp bài toán")
        raise typer.Exit(EXIT_BAD)
    _not_the_input(target, source, *([] if instance is None else [instance]))
    if instance is not None:
        loaded = _load(instance)
        schedule = _load_schedule(source, loaded)
        _check_writable(target)
        docs.write_schedule(loaded, schedule, target)
        out.print(f"Đã ghi {target}: {len(schedule.assignments)} lượt phân công, {len(schedule.unfilled)} chỗ trống.")
        return
    loaded = _load(source)
    _check_writable(target)
    document = instance_to_document(loaded)
    if target.suffix.lower() == ".xlsx":
        target.write_bytes(instance_workbook(document))
    else:
        target.write_text(dump_json(document), encoding="utf-8")
    out.print(f"Đã ghi {target}: {len(loaded.communes)} xã/phường, {len(loaded.meetings)} hội nghị.")


@app.command()
def template(
    out_path: Annotated[Path, typer.Option("--out", help="Tệp mẫu Excel (.xlsx) để điền bài toán")],
) -> None:
    """Ghi tệp Excel mẫu: mỗi loại dữ liệu một trang, có dòng ví dụ và trang hướng dẫn."""
    from models.documents.template import template_workbook

    if out_path.suffix.lower() != ".xlsx":
        err.print(f"[red]Lỗi:[/red] --out {out_path}: tệp mẫu phải là .xlsx")
        raise typer.Exit(EXIT_BAD)
    _check_writable(out_path)
    out_path.write_bytes(template_workbook())
    out.print(f"Đã ghi tệp mẫu {out_path}")


@app.command()
@docs.notice_options
def notice(
    instance: Annotated[Path, typer.Argument(metavar="TỆP_BÀI_TOÁN", help="Tệp bài toán (.json hoặc .xlsx)")],
    solution: Annotated[
        Path, typer.Argument(metavar="TỆP_LỊCH", help="Tệp lịch (.json phancong-solution/1 hoặc bảng lịch .xlsx)")
    ],
    out_path: Annotated[Path, typer.Option("--out", help="Tệp thông báo .docx hoặc .pdf (hoặc bảng lịch .xlsx)")],
    *,
    options: docs.NoticeOptions,
) -> None:
    """Ghi thông báo phân công (DOCX hoặc PDF) từ một lịch đã có (lịch vi phạm quy tắc bắt buộc thì không ghi)."""
    from solver import score as run_score

    loaded = _load(instance)
    schedule = _load_schedule(solution, loaded)
    _not_the_input(out_path, instance, solution)
    _check_output(out_path)
    violations = run_score(loaded, schedule.pairs()).violations
    if violations:
        # An official notice must not send a delegate on leave, twice on a day, to their own commune…
        err.print("[bold red]Lịch vi phạm quy tắc bắt buộc, không ghi thông báo:[/bold red]")
        for violation in violations:
            where = " ".join(filter(None, [violation.meeting, violation.delegate]))
            err.print(f"  • {violation.rule} {where}: {violation.message}", markup=False)
        raise typer.Exit(EXIT_BAD)
    docs.write_output(loaded, schedule, out_path, options)
    out.print(f"Đã ghi {out_path}")


@app.command()
def generate(
    communes: Annotated[int, typer.Option("--communes", min=1, help="Số xã/phường")] = 17,
    delegates: Annotated[int, typer.Option("--delegates", min=2, help="Số đại biểu")] = 45,
    months: Annotated[int, typer.Option("--months", min=1, max=24, help="Số tháng cần lập lịch")] = 1,
    seed: Annotated[int, typer.Option("--seed", help="Hạt giống ngẫu nhiên")] = 1,
    out_path: Annotated[Path | None, typer.Option("--out", help="Tệp ghi ra (mặc định: in ra màn hình)")] = None,
    history_months: Annotated[
        int, typer.Option("--history-months", min=0, max=36, help="Số tháng lịch sử trước tháng đầu")
    ] = 12,
    history_density: Annotated[
        float, typer.Option("--history-density", min=0.0, max=1.0, help="Tỉ lệ xã-tháng trong quá khứ có ghi nhận")
    ] = 1.0,
    leave: Annotated[float, typer.Option("--leave", min=0.0, max=10.0, help="Hệ số số đợt nghỉ phép")] = 1.0,
    trips: Annotated[
        float, typer.Option("--trips", min=0.0, max=1.0, help="Xác suất mỗi người mỗi tháng đi công tác 3–10 ngày")
    ] = 0.0,
    flags: Annotated[
        float, typer.Option("--flags", min=0.0, max=1.0, help="Tỉ lệ xã có mức quan tâm “Cần quan tâm” hoặc “Phức tạp”")
    ] = 0.15,
    in_charge: Annotated[
        int | None, typer.Option("--in-charge", min=0, max=20, help="Số xã phụ trách tối đa (mặc định: theo quy mô)")
    ] = None,
    meetings_per_month: Annotated[
        int, typer.Option("--meetings-per-month", min=1, max=4, help="Số cuộc họp mỗi xã mỗi tháng")
    ] = 1,
    roads: Annotated[
        int, typer.Option("--roads", min=0, max=20, help="Số điểm gần nhất có đường nối (0: không có đường)")
    ] = 3,
) -> None:
    """Sinh một bài toán giả lập theo mô tả trong DOMAIN.md (thành phố hoặc cấp tỉnh)."""
    from models.io import dump_json, instance_from_document
    from models.storage.excel import instance_workbook

    if out_path is not None and out_path.suffix.lower() not in docs.INSTANCE_SUFFIXES:
        err.print(f"[red]Lỗi:[/red] --out {out_path}: tệp bài toán phải là .json hoặc .xlsx")
        raise typer.Exit(EXIT_BAD)
    from scenarios.generator import Shape
    from scenarios.generator import generate as make

    shape = Shape(
        history_months=history_months,
        history_density=history_density,
        leave=leave,
        trips=trips,
        flags=flags,
        in_charge=in_charge,
        meetings_per_month=meetings_per_month,
        roads=roads,
    )
    document = make(communes=communes, delegates=delegates, months=months, seed=seed, shape=shape)
    instance_from_document(document)  # what we hand out must pass our own checks
    if out_path is None:
        sys.stdout.write(dump_json(document))
    else:
        _check_writable(out_path)
        if out_path.suffix.lower() == ".xlsx":
            out_path.write_bytes(instance_workbook(document))
        else:
            out_path.write_text(dump_json(document), encoding="utf-8")
        err.print(f"Đã ghi {out_path}: {communes} xã, {delegates} đại biểu, {months} tháng.")


@app.command()
def bench(
    profiles: Annotated[str, typer.Option("--profiles", help="Danh sách hồ sơ, cách nhau bởi dấu phẩy")] = "city17",
    seeds: Annotated[int, typer.Option("--seeds", min=1, help="Số hạt giống mỗi hồ sơ")] = 3,
    backends: Annotated[
        str, typer.Option("--backends", help="auto,auto-rolling,cpsat,pulp-highs,pulp-cbc,greedy")
    ] = "auto",
    time_limit: Annotated[float, typer.Option("--time-limit", min=0.5, help="Giới hạn mỗi lần chạy (giây)")] = 60.0,
    csv_path: Annotated[Path | None, typer.Option("--csv", help="Ghi từng lần chạy ra tệp CSV")] = None,
    plot: Annotated[Path | None, typer.Option("--plot", help="Vẽ thời gian theo kích thước (PNG)")] = None,
) -> None:
    """Đo hiệu năng bộ giải trên các bài toán sinh theo hồ sơ (trung vị thời gian, khoảng cách tối ưu)."""
    from bench import report
    from bench.profiles import PROFILES
    from bench.runner import run_matrix, summarise, write_csv

    names = [p.strip() for p in profiles.split(",") if p.strip()]
    if names == ["all"]:
        names = list(PROFILES)
    unknown = [n for n in names if n not in PROFILES]
    if unknown:
        err.print(f"Hồ sơ không có: {', '.join(unknown)} (có: {', '.join(PROFILES)})")
        raise typer.Exit(EXIT_BAD)
    chosen = [b.strip() for b in backends.split(",") if b.strip()]
    out.print(report.machine_line())
    runs = run_matrix(names, range(1, seeds + 1), chosen, time_limit, on_run=lambda r: err.print(report.run_line(r)))
    Console(width=160, highlight=False).print(report.table(summarise(runs), time_limit))
    if csv_path is not None:
        write_csv(runs, csv_path)
        out.print(f"Đã ghi {csv_path}")
    if plot is not None:
        report.plot(runs, plot)
        out.print(f"Đã vẽ {plot}")


@app.command()
def serve(
    host: Annotated[str, typer.Option("--host", help="Địa chỉ lắng nghe")] = "127.0.0.1",
    port: Annotated[int, typer.Option("--port", min=1, max=65535, help="Cổng")] = 8000,
    workers: Annotated[
        int, typer.Option("--workers", min=1, max=64, help="Số tiến trình web (trên 1: cần PostgreSQL)")
    ] = 1,
) -> None:
    """Chạy dịch vụ web (API cho cán bộ, đại biểu và xã/phường).

    Với SQLite, các lượt giải chạy ngay trong tiến trình này; với PostgreSQL, chúng vào
    hàng đợi và do ``phancong worker`` giải (xem docs/deploy.md).

    Cơ sở dữ liệu: tệp SQLite phancong.db ở thư mục hiện tại, hoặc PHANCONG_DATABASE_URL.
    Cơ sở dữ liệu trống được nạp dữ liệu mẫu; mỗi lần chạy in một mã truy cập mới của
    cán bộ Ban Tuyên giáo.
    """
    from api.server import NeedsQueue, run

    try:
        run(host, port, workers)
    except NeedsQueue as error:
        err.print(f"[red]Lỗi:[/red] --workers {workers}: {error}", markup=True)
        raise typer.Exit(EXIT_BAD) from None


@app.command()
def worker(
    concurrency: Annotated[
        int, typer.Option("--concurrency", min=1, max=64, help="Số tiến trình giải chạy song song trên máy này")
    ] = 1,
) -> None:
    """Chạy máy giải: nhận các lượt giải từ hàng đợi trên PostgreSQL (PHANCONG_DATABASE_URL).

    Mỗi tiến trình giải một lượt một lúc; --concurrency N chạy N tiến trình. SIGTERM: lượt
    đang giải dừng sớm và lưu lịch tốt nhất đã tìm được rồi mới thoát.
    """
    from api import worker as queue_worker

    code = queue_worker.main() if concurrency == 1 else queue_worker.supervise(concurrency)
    if code:
        raise typer.Exit(code)


def _check_output(path: Path) -> None:
    """An output whose extension says what to write, and that can be written."""
    problem = docs.out_kind(path)
    if problem is not None:
        err.print(f"[red]Lỗi:[/red] --out {path}: {problem}", markup=True)
        raise typer.Exit(EXIT_BAD)
    _check_writable(path)


def _check_writable(path: Path) -> None:
    """Refuse an output path that cannot be written before spending the time limit on a solve
    (a missing folder is created: :func:`cli.documents.unwritable`)."""
    problem = docs.unwritable(path)
    if problem is not None:
        err.print(f"[red]Lỗi:[/red] --out {path}: {problem}", markup=True)
        raise typer.Exit(EXIT_BAD)


def _not_the_input(path: Path, *inputs: Path) -> None:
    """Refuse an output that would overwrite one of the command's own input files."""
    for given in inputs:
        try:
            same = path.exists() and given.exists() and path.samefile(given)
        except OSError:
            continue  # a path that cannot even be looked at is not the input (and _check_writable says why)
        if same:
            err.print(f"[red]Lỗi:[/red] --out {path}: trùng tệp đầu vào {given}, sẽ ghi đè mất", markup=True)
            raise typer.Exit(EXIT_BAD)


def _exit_now(code: int) -> None:
    """End the process at once: the output is written, and tearing down the solver's large
    objects can take longer than a tight time limit leaves."""
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)


class _Progress:
    """A progress line on stderr for solves longer than a second: best score and bound.

    A line when either improves (at most two a second), and otherwise one every
    ``HEARTBEAT`` seconds, so that a long search that finds nothing new still shows it runs.
    """

    HEARTBEAT = 5.0

    def __init__(self) -> None:
        self.started = time.perf_counter()
        self.last = 0.0
        self.shown = False
        self.tty = sys.stderr.isatty()
        self.best: int | None = None
        self.bound: int | None = None
        self._lock = threading.Lock()
        self._stop = threading.Event()
        threading.Thread(target=self._beat, daemon=True).start()

    def __call__(self, event) -> None:  # type: ignore[no-untyped-def]
        with self._lock:
            self.best, self.bound = event.objective, event.bound
        self._show(time.perf_counter() - self.started, 0.5)

    def _beat(self) -> None:
        while not self._stop.wait(1.0):
            self._show(time.perf_counter() - self.started, self.HEARTBEAT)

    def _show(self, seconds: float, gap: float) -> None:
        with self._lock:
            if seconds < 1.0 or seconds - self.last < gap or self._stop.is_set():
                return
            self.last = seconds
            best = "—" if self.best is None else str(self.best)
            bound = "—" if self.bound is None else str(self.bound)
            line = f"  {number_vn(seconds, 1):>6} giây · tốt nhất {best} · cận dưới {bound}"
            sys.stderr.write(("\r" + line) if self.tty else (line + "\n"))
            sys.stderr.flush()
            self.shown = True

    def done(self) -> None:
        self._stop.set()
        with self._lock:
            if self.shown and self.tty:
                sys.stderr.write("\n")


def main() -> None:
    app()

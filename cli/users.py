"""``phancong user``: the administrator's accounts (add, list, token, password).

A typer sub-app registered by ``cli.main``; the rules are :mod:`services.accounts`. The
database is the service's (``PHANCONG_DATABASE_URL`` or ``phancong.db``), migrated first.
Passwords come only from standard input (``--password-stdin``), never from the command
line where other users of the machine could read them. Exit codes: 0 done, 2 refused
(the message names the field and the value).
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Annotated

import typer
from rich.console import Console
from sqlalchemy.orm import Session

from cli import vietnamese
from services.errors import ServiceError

user_app = vietnamese.Typer(
    add_completion=False,
    no_args_is_help=True,
    help="Tài khoản: thêm, liệt kê, cấp mã truy cập, đặt mật khẩu.",
    rich_markup_mode=None,
)
out = Console(highlight=False, soft_wrap=True)
err = Console(stderr=True, highlight=False, soft_wrap=True)
EXIT_BAD = 2

PasswordStdin = Annotated[bool, typer.Option("--password-stdin", help="Đọc mật khẩu từ đầu vào chuẩn (một dòng)")]


@contextmanager
def _session() -> Iterator[Session]:
    from api.settings import Settings
    from models.storage import migrate
    from models.storage.db import Database

    settings = Settings()
    database = Database.connect(settings.database_url)
    try:
        migrate.upgrade(settings.database_url, engine=database.engine)
        with database.writer() as session:
            yield session
    except ServiceError as error:
        _refuse(error)
    finally:
        database.dispose()


def _refuse(error: ServiceError) -> None:
    err.print(f"Lỗi: {error.detail}", markup=False)
    for issue in error.issues:
        err.print(f"  • {issue.path} = {issue.value!r}: {issue.message}", markup=False)
    raise typer.Exit(EXIT_BAD)


def _password(from_stdin: bool) -> str:
    if not from_stdin:
        err.print("Lỗi: --password-stdin: cần mật khẩu từ đầu vào chuẩn (vd. echo … | phancong user …)", markup=False)
        raise typer.Exit(EXIT_BAD)
    line = sys.stdin.readline()
    password = line.removesuffix("\n").removesuffix("\r")
    if not password:
        err.print("Lỗi: password: đầu vào chuẩn trống, không có mật khẩu", markup=False)
        raise typer.Exit(EXIT_BAD)
    return password


@user_app.command("add")
def add(
    username: Annotated[
        str, typer.Argument(metavar="TÊN_ĐĂNG_NHẬP", help="Tên đăng nhập (chữ thường không dấu, số, . _ -)")
    ],
    role: Annotated[str, typer.Option("--role", help="planner | delegate | commune")],
    delegate: Annotated[str | None, typer.Option("--delegate", help="Mã đại biểu (vai trò delegate)")] = None,
    commune: Annotated[str | None, typer.Option("--commune", help="Mã xã/phường (vai trò commune)")] = None,
    name: Annotated[str | None, typer.Option("--name", help="Tên hiển thị (mặc định: tên đại biểu/xã)")] = None,
    password_stdin: PasswordStdin = False,
) -> None:
    """Thêm tài khoản có mật khẩu."""
    from services import accounts

    password = _password(password_stdin)
    with _session() as session:
        made = accounts.create_account(
            session,
            None,
            username=username,
            role=role,
            name=name,
            delegate_id=delegate,
            commune_id=commune,
            password=password,
        )
        out.print(f"Đã tạo tài khoản {made.user.username} ({accounts.ROLE_LABELS[role]}), mã số {made.user.id}.")


@user_app.command("list")
def list_users() -> None:
    """Liệt kê tài khoản."""
    from services import accounts

    with _session() as session:
        # Plain tab-separated lines (rich would expand the tabs): easy to read and to script.
        typer.echo("mã\ttên đăng nhập\tvai trò\tliên kết\ttrạng thái\ttên")
        for user in accounts.list_accounts(session):
            link = user.delegate_id or user.commune_id or "-"
            state = "hoạt động" if user.active else "đã khóa"
            if user.active and user.password_hash is None:
                state += ", chưa có mật khẩu"
            # The role as `user add --role` takes it: the list's columns are read by scripts too.
            line = f"{user.id}\t{user.username or '-'}\t{user.role}\t{link}\t{state}\t{user.name}"
            typer.echo(line)


@user_app.command("token")
def token(username: Annotated[str, typer.Argument(metavar="TÊN_ĐĂNG_NHẬP", help="Tên đăng nhập")]) -> None:
    """In một mã truy cập API mới (các mã cũ của tài khoản bị thu hồi)."""
    from services import accounts

    with _session() as session:
        typer.echo(accounts.new_token(session, username))


@user_app.command("password")
def password(
    username: Annotated[str, typer.Argument(metavar="TÊN_ĐĂNG_NHẬP", help="Tên đăng nhập")],
    password_stdin: PasswordStdin = False,
) -> None:
    """Đặt mật khẩu mới; mọi phiên đăng nhập của tài khoản bị đóng."""
    from services import accounts

    new = _password(password_stdin)
    with _session() as session:
        accounts.set_password(session, username, new)
        out.print(f"Đã đặt mật khẩu mới cho {username}; các phiên đăng nhập cũ đã bị đóng.")

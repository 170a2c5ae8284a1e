"""``phancong user``: add, list, token, password on a SQLite file of its own."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select
from typer.testing import CliRunner

from cli.main import app
from models.storage import accounts, importer
from models.storage.db import Database
from models.storage.tables import UserRow
from models.storage.users import authenticate

runner = CliRunner()


@pytest.fixture
def url(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, tiny_document: dict[str, object]) -> str:
    """A migrated SQLite file holding the tiny example, named by PHANCONG_DATABASE_URL."""
    from models.storage import migrate

    address = f"sqlite:///{tmp_path / 'cli.db'}"
    monkeypatch.setenv("PHANCONG_DATABASE_URL", address)
    database = Database.connect(address)
    migrate.upgrade(address, engine=database.engine)
    with database.transaction() as session:
        importer.import_document(session, tiny_document)
    database.dispose()
    return address


def _run(*args: str, stdin: str | None = None) -> tuple[int, str, str]:
    result = runner.invoke(app, list(args), input=stdin)
    return result.exit_code, result.stdout, result.stderr


def _user(address: str, username: str) -> UserRow | None:
    database = Database.connect(address)
    try:
        with database.reader() as session:
            user = session.scalar(select(UserRow).where(UserRow.username == username))
            session.expunge_all()
            return user
    finally:
        database.dispose()


def test_add_then_list(url: str) -> None:
    code, out, _ = _run(
        "user", "add", "kien", "--role", "delegate", "--delegate", "d1", "--password-stdin", stdin="mat-khau-1\n"
    )
    assert code == 0, out
    assert "Đã tạo tài khoản kien (Đại biểu)" in out
    user = _user(url, "kien")
    assert user is not None
    assert user.name == "Nguyễn Văn Kiên"  # the delegate's name when none is given
    assert user.password_hash is not None
    assert user.password_hash.startswith("$argon2id$")
    code, out, _ = _run("user", "list")
    assert code == 0
    assert "kien\tdelegate\td1\thoạt động\tNguyễn Văn Kiên" in out


@pytest.mark.parametrize(
    ("args", "stdin", "named"),
    [
        (["Sai!", "--role", "planner"], "mat-khau-1\n", "username = 'sai!'"),
        (["canbo", "--role", "admin"], "mat-khau-1\n", "role = 'admin'"),
        (["kien", "--role", "delegate"], "mat-khau-1\n", "delegate = None: bắt buộc với vai trò delegate"),
        (["kien", "--role", "delegate", "--delegate", "d99"], "mat-khau-1\n", "delegate = 'd99': không có mã này"),
        (["xa", "--role", "commune", "--commune", "c1", "--delegate", "d1"], "mat-khau-1\n", "delegate = 'd1'"),
        (["canbo", "--role", "planner"], "ngan\n", "password"),
        (["canbo", "--role", "planner", "--name", "Tên\x07lạ"], "mat-khau-1\n", "name = 'Tên\\x07lạ'"),
        (["canbo", "--role", "planner"], "\n", "password: đầu vào chuẩn trống"),
    ],
)
def test_add_refuses_naming_the_field(url: str, args: list[str], stdin: str, named: str) -> None:
    code, _, err = _run("user", "add", *args, "--password-stdin", stdin=stdin)
    assert code == 2
    assert named in err
    assert "Traceback" not in err
    assert _run("user", "list")[1].count("\n") == 1  # the header only: nothing written


def test_a_name_is_stored_in_nfc(url: str) -> None:
    decomposed = "Nguye\u0302\u0303n Va\u0306n Kie\u0302n"  # the same letters, decomposed
    code, _, _ = _run(
        "user", "add", "kien2", "--role", "planner", "--name", decomposed, "--password-stdin", stdin="mat-khau-1\n"
    )
    assert code == 0
    user = _user(url, "kien2")
    assert user is not None
    assert user.name == "Nguyễn Văn Kiên"


def test_add_needs_password_stdin(url: str) -> None:
    code, _, err = _run("user", "add", "canbo", "--role", "planner")
    assert code == 2
    assert "--password-stdin" in err


def test_a_taken_name_is_refused(url: str) -> None:
    assert _run("user", "add", "canbo", "--role", "planner", "--password-stdin", stdin="mat-khau-1\n")[0] == 0
    code, _, err = _run("user", "add", "CanBo", "--role", "planner", "--password-stdin", stdin="mat-khau-1\n")
    assert code == 2
    assert "username = 'canbo': tên đăng nhập đã có người dùng" in err


def test_token_prints_a_working_api_token(url: str) -> None:
    _run("user", "add", "canbo", "--role", "planner", "--password-stdin", stdin="mat-khau-1\n")
    code, out, _ = _run("user", "token", "canbo")
    assert code == 0
    token = out.strip()
    assert token.startswith("pc_")
    database = Database.connect(url)
    with database.reader() as session:
        found = authenticate(session, token)
        assert found is not None
        assert found.username == "canbo"
    database.dispose()
    code, _, err = _run("user", "token", "khong-co")
    assert code == 2
    assert "username = 'khong-co': không có tài khoản này" in err


def test_password_sets_it_and_closes_sessions(url: str) -> None:
    _run("user", "add", "canbo", "--role", "planner", "--password-stdin", stdin="mat-khau-1\n")
    database = Database.connect(url)
    with database.transaction() as session:
        user = session.scalar(select(UserRow).where(UserRow.username == "canbo"))
        assert user is not None
        cookie, _ = accounts.open_session(session, user)
    code, out, _ = _run("user", "password", "canbo", "--password-stdin", stdin="mat-khau-moi-2\n")
    assert code == 0, out
    with database.reader() as session:
        assert accounts.find_session(session, cookie) is None
        user = accounts.by_username(session, "canbo")
        assert accounts.check_password(session, user, "mat-khau-moi-2")
    database.dispose()
    code, _, err = _run("user", "password", "canbo", "--password-stdin", stdin="ngan\n")
    assert code == 2
    assert "password" in err


@pytest.mark.parametrize(
    ("args", "stdin", "why"),
    [
        (["add", "kien", "--role", "delegate", "--delegate", "d1"], "kien-2024\n", "không được chứa tên đăng nhập"),
        (["add", "canbo", "--role", "planner"], "12345678\n", "không được chỉ có chữ số"),
        (["add", "canbo", "--role", "planner"], "password\n", "quá phổ biến"),
    ],
)
def test_add_refuses_a_trivial_password(url: str, args: list[str], stdin: str, why: str) -> None:
    code, _, err = _run("user", *args, "--password-stdin", stdin=stdin)
    assert code == 2
    assert why in err
    assert _run("user", "list")[1].count("\n") == 1  # nothing written


def test_password_refuses_a_trivial_password(url: str) -> None:
    """The administrator's reset of a planner's lost password: the same check as the pages."""
    _run("user", "add", "canbo", "--role", "planner", "--password-stdin", stdin="mat-khau-1\n")
    for weak, why in (("canbo123", "không được chứa tên đăng nhập"), ("zzzzzzzz", "không được chỉ lặp lại một ký tự")):
        code, _, err = _run("user", "password", "canbo", "--password-stdin", stdin=f"{weak}\n")
        assert code == 2
        assert f"password = None: mật khẩu {why}" in err
    database = Database.connect(url)
    with database.reader() as session:
        assert accounts.check_password(session, accounts.by_username(session, "canbo"), "mat-khau-1")
    database.dispose()

"""``phancong serve``: migrate the database, load the sample into an empty one, print a
planner token, and serve the API with uvicorn.

SQLite (``phancong.db`` in the working directory) unless ``PHANCONG_DATABASE_URL`` names
another database.
"""

from __future__ import annotations

import argparse
import gc
import sys

import uvicorn

from api.app import create_app
from api.seed import prepare
from api.settings import Settings
from models.storage import migrate
from models.storage.db import Database


def run(host: str = "127.0.0.1", port: int = 8000) -> None:
    settings = Settings()
    if "public_url" not in settings.model_fields_set:
        settings = settings.model_copy(update={"public_url": f"http://{host}:{port}"})
    database = Database.connect(settings.database_url)
    migrate.upgrade(settings.database_url, engine=database.engine)
    prepared = prepare(database, load_sample=settings.load_sample)
    app = create_app(settings, database)
    orphans = app.state.runner.recover()
    database.warm()
    where = database.engine.url.render_as_string(hide_password=True)
    print(f"Cơ sở dữ liệu: {where}")
    if prepared.loaded_sample:
        print("Đã nạp dữ liệu mẫu: Thành phố Lào Cai, tháng 3/2024 (17 xã/phường, 45 đại biểu).")
    print(f"Trang web: {settings.public_url}/dang-nhap")
    if prepared.password is not None:
        print(f"Đăng nhập: tên admin, mật khẩu {prepared.password} (hãy đổi ở {settings.public_url}/tai-khoan)")
    else:
        print("Đăng nhập bằng tài khoản đã có; đặt lại mật khẩu: phancong user password admin --password-stdin")
    print(f"Mã truy cập cán bộ Ban Tuyên giáo (planner): {prepared.token}")
    print(f"Thử: curl -H 'Authorization: Bearer {prepared.token}' {settings.public_url}/months/2024-03")
    print(f"Tài liệu API: {settings.public_url}/docs")
    if orphans:
        print(f"{orphans} lượt giải dở dang từ lần chạy trước được đánh dấu thất bại.")
    sys.stdout.flush()
    # Everything built so far lives as long as the process: keep it out of the garbage
    # collector's full passes, whose pauses would otherwise show in the latency tail.
    gc.collect()
    gc.freeze()
    uvicorn.run(app, host=host, port=port, log_level="info")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m api.server", description="Chạy dịch vụ phancong")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8000)
    args = parser.parse_args(argv)
    run(args.host, args.port)


if __name__ == "__main__":
    main()

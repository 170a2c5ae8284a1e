"""``/health``: answers without authentication; says whether the database answers."""

from __future__ import annotations

from fastapi import APIRouter
from sqlalchemy import text

from api.deps import DatabaseDep
from api.errors import ApiError, responses
from api.schemas.people import HealthOut

router = APIRouter(tags=["health"])


@router.get("/health", response_model=HealthOut, responses=responses(503))
def health(database: DatabaseDep) -> HealthOut:
    """Tình trạng dịch vụ và cơ sở dữ liệu (không cần đăng nhập)."""
    try:
        with database.reader() as session:
            session.execute(text("SELECT 1"))
    except Exception as error:
        raise ApiError(503, f"Cơ sở dữ liệu không trả lời: {type(error).__name__}") from None
    return HealthOut(status="ok", database=database.backend)

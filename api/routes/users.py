"""Users and their tokens: planners manage accounts; everyone can see and renew their own."""

from __future__ import annotations

from fastapi import APIRouter, status
from sqlalchemy import select

from api.deps import CurrentUser, Planner, SessionDep
from api.errors import ApiError, ErrorItem, responses
from api.paging import PAGED, DirectoryPage
from api.present import user_out
from api.schemas.common import IntId
from api.schemas.people import TokenOut, UserIn, UserOut, UserWithToken
from models.storage import audit, users
from models.storage.tables import CommuneRow, DelegateRow, UserRow
from services import accounts

router = APIRouter(tags=["users"])


@router.get("/me", response_model=UserOut, responses=responses(401))
def me(user: CurrentUser) -> UserOut:
    """Tài khoản đang dùng."""
    return user_out(user)


@router.post("/me/token", status_code=status.HTTP_201_CREATED, response_model=TokenOut, responses=responses(401))
def renew_my_token(user: CurrentUser, session: SessionDep) -> TokenOut:
    """Cấp mã mới cho chính mình; mọi mã cũ bị thu hồi."""
    token = users.rotate_token(session, user)
    audit.record(session, user, "token.rotate", "user", user.id)
    session.commit()
    return TokenOut(token=token)


@router.get("/users", response_model=list[UserOut], responses={**responses(401, 403), **PAGED})
def list_users(_: Planner, session: SessionDep, page: DirectoryPage) -> list[UserOut]:
    """Danh sách tài khoản người dùng."""
    return [user_out(u) for u in page.rows(session, select(UserRow).order_by(UserRow.id))]


@router.post(
    "/users", status_code=status.HTTP_201_CREATED, response_model=UserWithToken, responses=responses(401, 403, 413, 422)
)
def create_user(body: UserIn, planner: Planner, session: SessionDep) -> UserWithToken:
    """Tạo tài khoản; mã truy cập chỉ hiện trong câu trả lời này."""
    problems = []
    links = {"delegate": ("delegate_id", DelegateRow), "commune": ("commune_id", CommuneRow)}
    for role, (field, table) in links.items():
        value = getattr(body, field)
        if body.role == role and value is None:
            problems.append(ErrorItem(path=f"$.{field}", value=None, message=f"bắt buộc với role {role}"))
        elif body.role != role and value is not None:
            problems.append(ErrorItem(path=f"$.{field}", value=value, message=f"chỉ dùng với role {role}"))
        elif value is not None and session.get(table, value) is None:
            problems.append(ErrorItem(path=f"$.{field}", value=value, message="không có mã này"))
    if problems:
        raise ApiError(422, "Tài khoản không hợp lệ", problems)
    user, token = users.create_user(session, body.name, body.role, body.delegate_id, body.commune_id)
    audit.record(session, planner, "user.create", "user", user.id, {"role": body.role, "name": body.name})
    session.commit()
    return UserWithToken(user=user_out(user), token=token)


@router.post(
    "/users/{user_id}/token",
    status_code=status.HTTP_201_CREATED,
    response_model=TokenOut,
    responses=responses(401, 403, 404, 409, 422),
)
def rotate_user_token(user_id: IntId, planner: Planner, session: SessionDep) -> TokenOut:
    """Cấp lại mã cho một tài khoản đại biểu hoặc xã/phường (mã cũ hết hiệu lực).

    Không cấp cho tài khoản cán bộ Ban Tuyên giáo khác (403) hay tài khoản đã bị khóa (409)."""
    return TokenOut(token=accounts.new_token_of(session, planner, user_id))


@router.delete("/users/{user_id}", response_model=UserOut, responses=responses(401, 403, 404, 409, 422))
def deactivate_user(user_id: IntId, planner: Planner, session: SessionDep) -> UserOut:
    """Khóa tài khoản đại biểu hoặc xã/phường và thu hồi mọi mã của nó; với tài khoản đại
    biểu, cả địa chỉ lịch bí mật.

    Không khóa tài khoản của chính mình (409) hay của cán bộ Ban Tuyên giáo khác (403)."""
    return user_out(accounts.deactivate(session, planner, user_id))

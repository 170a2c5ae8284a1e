"""A month's instance as the solver sees it, with its faults said in the planner's terms.

The instance is generated from the directory and the month's meetings
(:func:`models.storage.mapping.month_document`), so a fault of it is a fault of the
stored data, and a path into the generated document (``$.meetings[3].commune``) means
nothing to a planner who never saw that document. The likeliest fault is a commune
created through the API after roads were imported: no road reaches it, and the format
requires one. That one, and a delegate's base off the roads, are said as what to do
next, naming the commune or delegate by its resource path; any other fault keeps the
document's path.

It also says whether a month needs a re-plan (:func:`replan_notices`).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from models.errors import InputError, Issue
from models.instance import Instance, default_required, default_senior_tier
from models.io import instance_from_document
from models.storage import config, schedules
from models.storage.clock import month_label
from models.storage.mapping import month_document
from models.storage.tables import ReplanNoticeRow, ScheduleRow
from services.errors import Invalid

Document = dict[str, Any]
#: The lists of (meeting, delegate) a month's document holds for its own meetings.
_MONTHLY_PAIRS = ("pinned", "forbidden", "reference")
_AT = re.compile(r"^\$\.(meetings|delegates)\[(\d+)\]\.(commune|base)$")


def load_month(session: Session, month: str, reference: bool = True) -> tuple[Document, Instance]:
    """The month's document and its validated instance; :class:`~services.errors.Invalid` otherwise.

    ``reference=False`` leaves out the published schedule in force (a scenario sets its own).
    """
    document = month_document(session, month)
    if not reference:
        document.pop("reference", None)
    try:
        return document, instance_from_document(document, stored=True)
    except InputError as error:
        raise month_error(month, document, error) from None


def month_error(month: str, document: Document, error: InputError) -> Invalid:
    """The refusal of a month whose stored data do not make a valid instance."""
    names = {c["id"]: c.get("name", c["id"]) for c in document.get("communes", [])}
    places = set(names) | {p["id"] for p in document.get("places", [])}
    # In the order first met: a commune's item (one, however many meetings it holds), or a
    # base's delegates (one item for them all: a page listed the same sentence per delegate).
    unreached: dict[tuple[str, str], Issue | list[str]] = {}
    items: list[Issue] = []
    for issue in error.issues:
        commune = _commune_off_the_roads(issue, names)
        base = _base_off_the_roads(document, issue)
        if commune is not None:
            unreached.setdefault(("commune", str(commune.value)), commune)
        elif base is not None:
            delegates = unreached.setdefault(("base", base[0]), [])
            assert isinstance(delegates, list)
            delegates.append(base[1])
        else:
            items.append(issue)
    if not unreached:
        return Invalid(error.render().splitlines()[0], items)
    said = [
        found if isinstance(found, Issue) else _base_issue(value, found, document, places)
        for (_, value), found in unreached.items()
    ]
    communes = [names[i.value] for i in said if i.path.startswith("/communes/") and i.value in names]
    what = (
        f"{', '.join(communes)} chưa có đường đi nối tới" if communes else "Có nơi xuất phát chưa có đường đi nối tới"
    )
    detail = f"Chưa lập được lịch tháng {month_label(month)}: {what}; hãy thêm đường đi {_ROADS} rồi lập lịch lại"
    return Invalid(detail, [*said, *items])


#: Where a planner adds a road: the directory page, or the JSON API.
_ROADS = "ở trang Danh mục (/danh-muc; API: POST /roads)"


def _commune_off_the_roads(issue: Issue, names: dict[str, str]) -> Issue | None:
    """The issue as an item about a meeting's commune the roads miss; None otherwise."""
    found = _AT.match(issue.path)
    if found is None or not isinstance(issue.value, str):
        return None
    part, field, value = found.group(1), found.group(3), issue.value
    if part != "meetings" or field != "commune" or value not in names:
        return None
    message = (
        f"chưa có đường đi nào nối {names[value]} với các xã/phường, địa điểm khác; "
        f"hãy thêm một đường đi từ đó tới một nơi đã có đường {_ROADS}"
    )
    return Issue(path=f"/communes/{value}", value=value, message=message)


def _base_off_the_roads(document: Document, issue: Issue) -> tuple[str, str] | None:
    """(base, delegate) when the issue is a delegate's base the roads miss; None otherwise."""
    found = _AT.match(issue.path)
    if found is None or not isinstance(issue.value, str) or (found.group(1), found.group(3)) != ("delegates", "base"):
        return None
    return issue.value, document["delegates"][int(found.group(2))]["id"]


def _base_issue(base: str, delegates: list[str], document: Document, places: set[str]) -> Issue:
    """One item for a base the roads miss, at its first delegate's path, saying how many
    start there (and who, the first three) when more than one does."""
    who = ""
    if len(delegates) > 1:
        names = {d["id"]: d.get("name", d["id"]) for d in document.get("delegates", [])}
        shown = ", ".join(names.get(d, d) for d in delegates[:3]) + (", …" if len(delegates) > 3 else "")
        who = f"của {len(delegates)} đại biểu ({shown}) "
    if base in places:
        message = (
            f"nơi xuất phát {base} {who}chưa có đường đi nào nối tới; hãy thêm đường đi {_ROADS} "
            "hoặc đổi nơi xuất phát của đại biểu"
        )
    else:
        message = (
            f"nơi xuất phát {base} {who}không có trong danh mục; hãy thêm địa điểm ở trang Danh mục "
            "(/danh-muc; API: POST /places) hoặc đổi nơi xuất phát của đại biểu"
        )
    return Issue(path=f"/delegates/{delegates[0]}", value=base, message=message)


def months_between(first: str, last: str) -> list[str]:
    """The months ``first`` to ``last`` inclusive, in order (empty when ``last`` is before ``first``)."""
    year, month = int(first[:4]), int(first[5:7])
    out: list[str] = []
    while f"{year:04d}-{month:02d}" <= last:
        out.append(f"{year:04d}-{month:02d}")
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return out


def load_range(session: Session, months: list[str]) -> tuple[Document, Instance]:
    """One instance holding the meetings of every month of ``months`` (in order), to plan
    them jointly: the solver then weighs rotation, a commune's consecutive meetings and the
    balance over the whole range, not month after month.

    The history is what came before the range's first month (the range's own months are
    re-planned, so what was published for them is not history; it is the reference, so
    that a re-plan keeps what it can). A commune has one flag in an instance, the flag of
    its first meeting's month; a meeting of a month with another flag carries its seats
    and senior tier of that month's flag explicitly, so the rules on seats are exact. The
    one term that reads the flag itself (``senior_at_stable``) is then approximate for
    that commune's other months; each month's draft is scored again on its own
    (:func:`load_rolling_month`), which is exact.
    """
    documents = [month_document(session, month) for month in months]
    base = next((d for d in documents if d["meetings"]), documents[0])
    joint: Document = {k: v for k, v in base.items() if k not in ("meetings", "history", *_MONTHLY_PAIRS)}
    joint["name"] = f"{config.name(session)} — tháng {month_label(months[0])} đến {month_label(months[-1])}"
    joint["history"] = documents[0]["history"]
    flags_of = [{c["id"]: int(c.get("flag", 0)) for c in d["communes"]} for d in documents]
    first_flag: dict[str, int] = {}
    for document, flag_of in zip(documents, flags_of, strict=True):
        for meeting in document["meetings"]:
            first_flag.setdefault(meeting["commune"], flag_of[meeting["commune"]])
    joint["communes"] = [dict(c, flag=first_flag.get(c["id"], c.get("flag", 0))) for c in base["communes"]]
    joint["meetings"] = []
    for document, flag_of in zip(documents, flags_of, strict=True):
        for meeting in document["meetings"]:
            flag = flag_of[meeting["commune"]]
            item = dict(meeting)
            if flag != first_flag[meeting["commune"]]:
                item.setdefault("required", default_required(flag))
                item.setdefault("senior_tier", default_senior_tier(flag))
            joint["meetings"].append(item)
        for key in _MONTHLY_PAIRS:
            if document.get(key):
                joint.setdefault(key, []).extend(document[key])
    try:
        return joint, instance_from_document(joint, stored=True)
    except InputError as error:
        raise month_error(months[0], joint, error) from None


def load_rolling_month(
    session: Session, month: str, earlier: list[tuple[Instance, list[tuple[str, str]], dict[tuple[str, str], str]]]
) -> tuple[Document, Instance]:
    """The month's instance planned after the drafts of ``earlier`` months of the same range.

    Each earlier month's draft (its instance, pairs and suggested visits) stands in its
    history for whatever was published for that month, as ``solve --rolling`` chains a
    month to the plan of the one before: the range is planned as it would be lived.
    """
    document = month_document(session, month)
    planned = {m.start.strftime("%Y-%m") for inst, _, _ in earlier for m in inst.meetings}
    history = document.setdefault("history", {})
    attendances = [a for a in history.get("attendances", []) if a["date"][:7] not in planned]
    visits = [v for v in history.get("visits", []) if v["date"][:7] not in planned]
    for instance, pairs, suggested in earlier:
        for meeting_id, delegate in pairs:
            meeting = instance.meeting(meeting_id)
            attendances.append({"date": meeting.day.isoformat(), "commune": meeting.commune, "delegate": delegate})
        for (meeting_id, _), team in suggested.items():
            visits.append({"date": instance.meeting(meeting_id).day.isoformat(), "team": team})
    unique = {(a["date"], a["commune"], a["delegate"]): a for a in attendances}
    history["attendances"] = [unique[key] for key in sorted(unique)]
    history["visits"] = sorted(
        {(v["date"], v["team"]): v for v in visits}.values(), key=lambda v: (v["date"], v["team"])
    )
    try:
        return document, instance_from_document(document, stored=True)
    except InputError as error:
        raise month_error(month, document, error) from None


def replan_notices(session: Session, month: str) -> Sequence[ReplanNoticeRow]:
    """What makes ``month`` need a re-plan: the notices of its version in force; in a month
    not published yet, those of its newest draft (a flag changed after it was made, see
    :func:`services.flags.replan_after_flag`). Re-planning makes a version without any."""
    in_force = schedules.current(session, month)
    if in_force is not None:
        return schedules.notices(session, in_force.id)
    newest = session.scalar(
        select(ScheduleRow.id).where(ScheduleRow.month == month).order_by(ScheduleRow.version.desc()).limit(1)
    )
    return [] if newest is None else schedules.notices(session, newest)

"""Why a seat stays empty or a pin cannot hold, in words a planner acts on.

For a gap the explanation names the people and the facts: who is on leave (and why),
who is in charge of the commune, who is at which other meeting at that hour, who has
reached the monthly limit. Where several meetings at the same hour compete for too few
eligible delegates, Hall's condition on the bipartite graph of seats and delegates
(maximum matching, then the alternating-path witness of König's theorem) names the
meetings and the people that make the shortage, which is the real cause.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence

import networkx as nx

from solver.encode import Encoding
from solver.rules import exclusion
from solver.rules.hard import capacity_left
from solver.variables import Scope, Variables

MAX_NAMES = 6


def pin_conflicts(enc: Encoding) -> list[str]:
    """Reasons the pinned pairs cannot all hold; empty when they can (then a schedule exists)."""
    return [reason for _, reason in pin_conflicts_by_meeting(enc)]


def pin_conflicts_by_meeting(enc: Encoding) -> list[tuple[str, str]]:
    """Each reason the pinned pairs cannot all hold, with the id of the meeting it is about."""
    v = _context(enc)
    problems: list[tuple[str, str]] = []

    def problem(m: int, reason: str) -> None:
        problems.append((enc.meetings[m].id, reason))

    by_meeting: dict[int, list[int]] = defaultdict(list)
    by_delegate: dict[int, list[int]] = defaultdict(list)
    for d, m in sorted(enc.pinned):
        by_meeting[m].append(d)
        by_delegate[d].append(m)
        excluded = exclusion(v, d, m)
        if excluded is not None:
            problem(m, f"Ghim {_who(enc, d)} vào {_meeting(enc, m)} nhưng đại biểu {excluded[1]} ({excluded[0]}).")
    for m, people in sorted(by_meeting.items()):
        if len(people) > enc.meetings[m].required:
            names = ", ".join(_who(enc, d) for d in people)
            need = enc.meetings[m].required
            problem(m, f"{_meeting(enc, m)} chỉ cần {need} đại biểu nhưng ghim {len(people)}: {names}.")
    for d, meetings in sorted(by_delegate.items()):
        for i, a in enumerate(meetings):
            for b in meetings[i + 1 :]:
                if enc.overlap(enc.meetings[a], enc.meetings[b]):
                    both = f"{_meeting(enc, a)} và {_meeting(enc, b)}"
                    problem(b, f"Ghim {_who(enc, d)} vào hai hội nghị trùng buổi: {both}.")
        per_month = Counter(enc.meetings[m].month for m in meetings)
        for month, count in per_month.items():
            left = capacity_left(v, d, month)
            if count > left:
                last = max((m for m in meetings if enc.meetings[m].month == month), key=lambda m: enc.meetings[m].start)
                problem(last, f"Ghim {_who(enc, d)} {count} buổi trong một tháng, vượt mức còn lại {max(left, 0)}.")
    return problems


def explain_gaps(
    enc: Encoding, schedule: Sequence[tuple[int, int]], gaps: Iterable[tuple[int, int, bool]]
) -> dict[int, str]:
    """A reason per meeting with ``(meeting, empty seats, senior missing)``, given the schedule."""
    v = _context(enc)
    at: dict[int, list[int]] = defaultdict(list)
    month_load: Counter[tuple[int, int]] = Counter()
    for d, m in schedule:
        at[d].append(m)
        month_load[d, enc.meetings[m].month] += 1
    reasons = {}
    for m, seats, senior_missing in gaps:
        meeting = enc.meetings[m]
        parts = []
        if seats:
            parts.append(f"Thiếu {seats} đại biểu")
        if senior_missing:
            parts.append(f"chưa có đại biểu cấp {_tier_label(meeting.senior_tier)}")
        head = " và ".join(parts) + f" cho {_meeting(enc, m)}."
        tier = meeting.senior_tier if senior_missing and not seats else None
        hall = _shortage(v, m, tier)
        blocked = _blocked(v, m, tier, at, month_load)
        reasons[m] = " ".join(text for text in (head, hall, blocked) if text)
    return reasons


def _context(enc: Encoding) -> Variables:
    from solver.linear import LinearModel

    return Variables(enc, LinearModel(), Scope.whole(enc))


def _eligible(v: Variables, d: int, m: int, tier: int | None) -> bool:
    if tier is not None and v.enc.delegates[d].tier > tier:
        return False
    return exclusion(v, d, m) is None


def _blocked(
    v: Variables, m: int, tier: int | None, at: dict[int, list[int]], month_load: Counter[tuple[int, int]]
) -> str:
    """Every delegate who could in principle come, grouped by what keeps them away."""
    enc = v.enc
    groups: dict[str, list[str]] = defaultdict(list)
    meeting = enc.meetings[m]
    seated = 0
    for delegate in enc.delegates:
        d = delegate.index
        if tier is not None and delegate.tier > tier:
            continue
        if m in at.get(d, ()):
            seated += 1
            continue
        excluded = exclusion(v, d, m)
        if excluded is not None:
            groups[_group_of(excluded[0])].append(f"{delegate.name} ({excluded[1]})")
            continue
        clash = [o for o in at.get(d, ()) if enc.overlap(meeting, enc.meetings[o])]
        if clash:
            groups["dự hội nghị khác cùng buổi"].append(f"{delegate.name} ({_meeting(enc, clash[0])})")
            continue
        if month_load[d, meeting.month] >= capacity_left(v, d, meeting.month):
            groups["đã đủ số buổi trong tháng"].append(f"{delegate.name} (tối đa {delegate.cap})")
            continue
        groups["còn trống nhưng không được chọn"].append(delegate.name)
    if not groups:
        who = " đủ cấp" if tier is not None else ""
        if seated:
            return f"Cả {seated} đại biểu{who} trong danh sách đều đã được cử dự hội nghị này; không còn ai khác."
        return f"Không có đại biểu{who} nào trong danh sách."
    parts = []
    for label, names in groups.items():
        shown = ", ".join(names[:MAX_NAMES]) + (
            f" và {len(names) - MAX_NAMES} người khác" if len(names) > MAX_NAMES else ""
        )
        parts.append(f"{label}: {shown}")
    scope = f"đại biểu cấp {_tier_label(tier)}" if tier is not None else "đại biểu"
    return f"Các {scope} không thể cử — " + "; ".join(parts) + "."


def _shortage(v: Variables, m: int, tier: int | None) -> str:
    """Hall's condition among the meetings held at the same hour as ``m``, if it fails."""
    enc = v.enc
    cliques = [c for c in enc.conflict_cliques if m in c] or [(m,)]
    for clique in sorted(cliques, key=len, reverse=True):
        graph = nx.Graph()
        seats = []
        for other in clique:
            meeting = enc.meetings[other]
            need = meeting.senior_tier if tier is not None else None
            if tier is not None and (need is None or need > tier):
                continue
            # Seats beyond the number of delegates can never be matched; one of them is
            # enough to witness the shortage (and keeps an absurd ``required`` cheap).
            count = 1 if tier is not None else min(meeting.required, len(enc.delegates) + 1)
            for k in range(count):
                seat = ("seat", other, k)
                seats.append(seat)
                graph.add_node(seat)
                for d in range(len(enc.delegates)):
                    if _eligible(v, d, other, need if tier is not None else None):
                        graph.add_edge(seat, ("delegate", d))
        matching = nx.bipartite.maximum_matching(graph, top_nodes=seats) if graph.number_of_edges() else {}
        unmatched = [s for s in seats if s not in matching]
        if not unmatched:
            continue
        witness_seats, witness_people = _hall_witness(graph, matching, unmatched)
        meetings = sorted({s[1] for s in witness_seats})
        if m not in meetings or len(meetings) < 2:
            continue
        people = sorted(d for _, d in witness_people)
        names = ", ".join(enc.delegates[d].name for d in people) or "không ai"
        what = f"cấp {_tier_label(tier)}" if tier is not None else ""
        return (
            f"Cùng buổi có {len(witness_seats)} chỗ cần đại biểu {what} ở {len(meetings)} hội nghị "
            f"({', '.join(_meeting(enc, o) for o in meetings)}) nhưng chỉ {len(people)} người có thể dự: {names}."
        ).replace("  ", " ")
    return ""


def _hall_witness(graph: nx.Graph, matching: dict, unmatched: list) -> tuple[set, set]:
    """Seats reachable from unmatched seats by alternating paths, and their delegates."""
    seats, people = set(unmatched), set()
    frontier = list(unmatched)
    while frontier:
        seat = frontier.pop()
        for person in graph.neighbors(seat):
            if person in people:
                continue
            people.add(person)
            partner = matching.get(person)
            if partner is not None and partner not in seats:
                seats.add(partner)
                frontier.append(partner)
    return seats, people


def _group_of(code: str) -> str:
    return {
        "H3": "nghỉ",
        "H7": "phụ trách xã",
        "H6": "bị loại trừ",
        "H5": "hết số buổi",
        "H4": "trùng lịch",
    }.get(code, code)


def _tier_label(tier: int | None) -> str:
    return {1: "Thường trực", 2: "Ủy viên Ban Thường vụ trở lên", 3: "lãnh đạo trở lên"}.get(tier or 0, "bất kỳ")


def _who(enc: Encoding, d: int) -> str:
    return f"{enc.delegates[d].name} ({enc.delegates[d].id})"


def _meeting(enc: Encoding, m: int) -> str:
    meeting = enc.meetings[m]
    commune = enc.instance.commune(meeting.commune).name
    return f"{commune} {meeting.start:%H:%M %d/%m}"

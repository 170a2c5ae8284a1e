"""The embedded sample: Lào Cai city, March 2024 (DOMAIN.md, seed 001).

Its 17 real units (10 wards, 7 communes) at their approximate places, about 230 teams,
45 fictional delegates across the agencies of the practice, roads with plausible travel
times from the committee office, and twelve months of history. ``python -m
scenarios.laocai`` writes ``scenarios/data/laocai-2024-03.instance.json``; a test checks
that the file is exactly what this module makes.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from models.io import dump_json
from scenarios.generator import generate

#: (kind, name, lat, lon, teams): approximate positions around the city centre.
UNITS: tuple[tuple[str, str, float, float, int], ...] = (
    ("phuong", "Phường Bắc Cường", 22.4530, 103.9850, 18),
    ("phuong", "Phường Bắc Lệnh", 22.4660, 103.9740, 16),
    ("phuong", "Phường Bình Minh", 22.4330, 103.9920, 12),
    ("phuong", "Phường Cốc Lếu", 22.5030, 103.9660, 20),
    ("phuong", "Phường Duyên Hải", 22.5150, 103.9760, 15),
    ("phuong", "Phường Kim Tân", 22.4880, 103.9620, 21),
    ("phuong", "Phường Lào Cai", 22.5100, 103.9580, 14),
    ("phuong", "Phường Nam Cường", 22.4720, 103.9600, 13),
    ("phuong", "Phường Pom Hán", 22.4560, 103.9550, 15),
    ("phuong", "Phường Xuân Tăng", 22.4420, 103.9610, 10),
    ("xa", "Xã Cam Đường", 22.4010, 103.9800, 12),
    ("xa", "Xã Cốc San", 22.4300, 103.9280, 9),
    ("xa", "Xã Đồng Tuyển", 22.5220, 103.9350, 10),
    ("xa", "Xã Hợp Thành", 22.3700, 103.9900, 11),
    ("xa", "Xã Tả Phời", 22.3790, 103.9290, 12),
    ("xa", "Xã Thống Nhất", 22.4710, 104.0120, 11),
    ("xa", "Xã Vạn Hòa", 22.5310, 104.0020, 11),
)

#: Units that need attention in March 2024 (position in UNITS → flag).
FLAGGED = {1: 1, 10: 2, 12: 1}

PATH = Path(__file__).parent / "data" / "laocai-2024-03.instance.json"


def make() -> dict[str, Any]:
    document = generate(
        communes=len(UNITS),
        delegates=45,
        months=1,
        seed=2024,
        start=dt.date(2024, 3, 1),
        name="Thành phố Lào Cai — tháng 3/2024",
        commune_names=[(kind, name) for kind, name, *_ in UNITS],
        coordinates=[(lat, lon) for _, _, lat, lon, _ in UNITS],
        flagged=FLAGGED,
        teams=[teams for *_, teams in UNITS],
    )
    document["places"][0]["name"] = "Trụ sở Thành ủy Lào Cai"
    # Bắc Lệnh needs attention this month: the Standing Committee sends its Deputy
    # Secretary (d002, Phó Bí thư Thường trực) to its meeting on 6/3. The solver alone never
    # sends a tier-1 delegate to a ward a committee member can cover, so without this pin
    # the sample "the Deputy Secretary away in week 2" would change nothing.
    document["pinned"] = [*document.get("pinned", []), {"meeting": "202403-c002", "delegate": "d002"}]
    return document


if __name__ == "__main__":
    PATH.parent.mkdir(parents=True, exist_ok=True)
    PATH.write_text(dump_json(make()), encoding="utf-8")
    print(PATH)

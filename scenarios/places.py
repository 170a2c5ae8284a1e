"""Base months of the real places in DOMAIN.md, for the sample scenarios.

* Sa Pa town (seed 000): its 16 units, 6 wards and 10 communes, April 2024;
* Bảo Thắng district (seed 003): 14 boards (3 towns, 11 communes) and 188 teams, May 2024;
* Phong Thổ district, Lai Châu (seed 002): 16 communes and 1 town, June 2024.

Unit names are the real ones of the time; positions are approximate, team counts are
plausible (Bảo Thắng's add up to the 188 of the article), delegates are fictional. Lào
Cai city is :mod:`scenarios.laocai`. ``python -m scenarios.places`` writes the instance
files; a test checks each is exactly what this module makes. ``python -m scenarios.places
--publish`` (re)solves them and writes the published schedules the scenarios keep: those
are data like a notice sent out, so tests check them for validity, not for equality.
"""

from __future__ import annotations

import datetime as dt
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from models.io import dump_json, load_instance, write_solution
from scenarios import laocai
from scenarios.generator import generate

DATA = Path(__file__).parent / "data"

#: Where the generator puts the committee office; real places are moved there to be made
#: and back afterwards, so that roads and travel times follow the real layout.
GENERATOR_CENTRE = (22.48, 103.97)

Unit = tuple[str, str, float, float, int]
"""(kind, name, lat, lon, teams)."""


@dataclass(frozen=True)
class Place:
    key: str
    name: str
    office: str
    centre: tuple[float, float]
    """Position of the party committee's office (the delegates' ``hq``)."""
    month: dt.date
    delegates: int
    seed: int
    units: tuple[Unit, ...]
    flagged: dict[int, int]
    """Units that need attention that month: position in ``units`` → flag."""

    @property
    def path(self) -> Path:
        return DATA / f"{self.key}-{self.month:%Y-%m}.instance.json"

    @property
    def published(self) -> Path:
        return DATA / f"{self.key}-{self.month:%Y-%m}.solution.json"


SAPA = Place(
    key="sapa",
    name="Thị xã Sa Pa — tháng 4/2024",
    office="Trụ sở Thị ủy Sa Pa",
    centre=(22.3356, 103.8438),
    month=dt.date(2024, 4, 1),
    delegates=40,
    seed=2020,
    units=(
        ("phuong", "Phường Sa Pa", 22.3365, 103.8420, 14),
        ("phuong", "Phường Sa Pả", 22.3450, 103.8330, 9),
        ("phuong", "Phường Ô Quý Hồ", 22.3500, 103.8010, 8),
        ("phuong", "Phường Phan Si Păng", 22.3300, 103.8300, 10),
        ("phuong", "Phường Cầu Mây", 22.3290, 103.8530, 11),
        ("phuong", "Phường Hàm Rồng", 22.3400, 103.8520, 9),
        ("xa", "Xã Ngũ Chỉ Sơn", 22.3650, 103.8200, 9),
        ("xa", "Xã Tả Phìn", 22.3780, 103.8500, 10),
        ("xa", "Xã Tả Van", 22.3100, 103.8750, 8),
        ("xa", "Xã Trung Chải", 22.3800, 103.8800, 10),
        ("xa", "Xã Mường Hoa", 22.3050, 103.8600, 7),
        ("xa", "Xã Bản Hồ", 22.2600, 103.9300, 8),
        ("xa", "Xã Liên Minh", 22.2200, 103.9500, 8),
        ("xa", "Xã Mường Bo", 22.3000, 103.9400, 9),
        ("xa", "Xã Hoàng Liên", 22.3250, 103.8100, 9),
        ("xa", "Xã Thanh Bình", 22.2700, 103.9750, 6),
    ),
    flagged={8: 1, 11: 1},
)

BAOTHANG = Place(
    key="baothang",
    name="Huyện Bảo Thắng — tháng 5/2024",
    office="Trụ sở Huyện ủy Bảo Thắng",
    centre=(22.3180, 104.1880),
    month=dt.date(2024, 5, 1),
    delegates=42,
    seed=2023,
    units=(
        ("thi_tran", "Thị trấn Phố Lu", 22.3180, 104.1880, 20),
        ("thi_tran", "Thị trấn Tằng Loỏng", 22.4050, 104.0680, 12),
        ("thi_tran", "Thị trấn Nông trường Phong Hải", 22.5900, 104.1300, 11),
        ("xa", "Xã Bản Cầm", 22.6000, 104.0700, 10),
        ("xa", "Xã Bản Phiệt", 22.6200, 104.0300, 11),
        ("xa", "Xã Gia Phú", 22.3800, 104.0900, 17),
        ("xa", "Xã Phong Niên", 22.5300, 104.1500, 16),
        ("xa", "Xã Phú Nhuận", 22.2500, 104.2300, 16),
        ("xa", "Xã Sơn Hà", 22.3000, 104.1600, 10),
        ("xa", "Xã Sơn Hải", 22.2900, 104.1300, 9),
        ("xa", "Xã Thái Niên", 22.4300, 104.1300, 14),
        ("xa", "Xã Trì Quang", 22.3000, 104.2300, 12),
        ("xa", "Xã Xuân Giao", 22.3550, 104.1050, 15),
        ("xa", "Xã Xuân Quang", 22.4800, 104.1900, 15),
    ),
    flagged={13: 2, 7: 1},
)

PHONGTHO = Place(
    key="phongtho",
    name="Huyện Phong Thổ — tháng 6/2024",
    office="Trụ sở Huyện ủy Phong Thổ",
    centre=(22.5230, 103.3510),
    month=dt.date(2024, 6, 1),
    delegates=45,
    seed=2013,
    units=(
        ("thi_tran", "Thị trấn Phong Thổ", 22.5230, 103.3510, 12),
        ("xa", "Xã Bản Lang", 22.4500, 103.4100, 19),
        ("xa", "Xã Dào San", 22.6500, 103.2000, 21),
        ("xa", "Xã Hoang Thèn", 22.5600, 103.4500, 18),
        ("xa", "Xã Huổi Luông", 22.4600, 103.3000, 14),
        ("xa", "Xã Khổng Lào", 22.4900, 103.4000, 15),
        ("xa", "Xã Lản Nhì Thàng", 22.4200, 103.3300, 14),
        ("xa", "Xã Ma Li Pho", 22.5400, 103.4100, 12),
        ("xa", "Xã Mồ Sì San", 22.6200, 103.1600, 11),
        ("xa", "Xã Mù Sang", 22.6100, 103.2500, 12),
        ("xa", "Xã Mường So", 22.5300, 103.3900, 20),
        ("xa", "Xã Nậm Xe", 22.6200, 103.3500, 14),
        ("xa", "Xã Pa Vây Sử", 22.6800, 103.2000, 13),
        ("xa", "Xã Sì Lở Lầu", 22.6700, 103.2800, 17),
        ("xa", "Xã Sin Suối Hồ", 22.4200, 103.3800, 14),
        ("xa", "Xã Tung Qua Lìn", 22.6500, 103.1300, 13),
        ("xa", "Xã Vàng Ma Chải", 22.6200, 103.1100, 12),
    ),
    flagged={4: 1, 8: 2, 14: 1},
)

PLACES: tuple[Place, ...] = (SAPA, BAOTHANG, PHONGTHO)


def make(place: Place) -> dict[str, Any]:
    """The place's base month, an instance document."""
    dlat, dlon = GENERATOR_CENTRE[0] - place.centre[0], GENERATOR_CENTRE[1] - place.centre[1]
    document = generate(
        communes=len(place.units),
        delegates=place.delegates,
        months=1,
        seed=place.seed,
        start=place.month,
        name=place.name,
        commune_names=[(kind, name) for kind, name, *_ in place.units],
        coordinates=[(lat + dlat, lon + dlon) for _, _, lat, lon, _ in place.units],
        flagged=place.flagged,
        teams=[teams for *_, teams in place.units],
    )
    # Back to the real positions: the shift keeps every distance, hence the roads.
    for item in (*document["places"], *document["communes"]):
        item["lat"] = round(item["lat"] - dlat, 5)
        item["lon"] = round(item["lon"] - dlon, 5)
    document["places"][0]["name"] = place.office
    for unit in document["communes"]:
        if unit["kind"] == "thi_tran":  # a town's teams are residential groups, not villages
            for team in unit["teams"]:
                team["name"] = team["name"].replace("thôn số", "tổ dân phố số")
    return document


def publish(path: Path, out: Path, time_limit: float = 30.0) -> str:
    """Solves a base month and writes the schedule as the published notice."""
    from solver import solve

    instance = load_instance(path)
    result = solve(instance, time_limit=time_limit)
    write_solution(result.to_solution(instance), out)
    return f"{out}: {result.status}, điểm {result.total}"


def main(argv: list[str]) -> None:
    for place in PLACES:
        place.path.write_text(dump_json(make(place)), encoding="utf-8")
        print(place.path)
    if "--publish" in argv:
        targets = [(laocai.PATH, DATA / "laocai-2024-03.solution.json")]
        targets += [(p.path, p.published) for p in PLACES]
        for path, out in targets:
            print(publish(path, out))


if __name__ == "__main__":
    main(sys.argv[1:])

"""Travel times between places: shortest paths over the instance's road graph.

RULES.md: ``travel(p, q)`` is the shortest-path time over the undirected roads; with no
roads at all every travel time is 0. Score units are tens of minutes, halves rounded up.
"""

from __future__ import annotations

import math

import networkx as nx

from models.instance import Instance

# Road minutes are decimals summed in binary floating point; this slack keeps a sum such
# as 4.1 + 0.9 from landing a hair under a rounding threshold it mathematically meets.
EPSILON = 1e-9


class TravelTimes:
    """Shortest-path minutes between any two places of one instance (computed lazily)."""

    def __init__(self, instance: Instance) -> None:
        self._graph = nx.Graph()
        for road in instance.roads:
            # Keep the fastest of parallel roads: shortest paths would anyway.
            old = self._graph.get_edge_data(road.a, road.b)
            if old is None or road.minutes < old["minutes"]:
                self._graph.add_edge(road.a, road.b, minutes=road.minutes)
        self._from: dict[str, dict[str, float]] = {}
        self._units: dict[tuple[str, str], int] = {}
        self.has_roads = self._graph.number_of_edges() > 0

    def minutes(self, p: str, q: str) -> float:
        """Shortest-path minutes from ``p`` to ``q``; ``inf`` when no road joins them."""
        if p == q or not self.has_roads:
            return 0.0
        if p not in self._from:
            if p not in self._graph:
                return math.inf
            self._from[p] = nx.single_source_dijkstra_path_length(self._graph, p, weight="minutes")
        return self._from[p].get(q, math.inf)

    def units(self, p: str, q: str) -> int:
        """The ``travel`` term of one trip: tens of minutes, halves rounded up."""
        key = (p, q)
        if key not in self._units:
            self._units[key] = travel_units(self.minutes(p, q))
        return self._units[key]


def travel_units(minutes: float) -> int:
    return math.floor(minutes / 10 + 0.5 + EPSILON)

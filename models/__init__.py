"""Domain objects of phancong: the exchange formats, rules and weights, and storage."""

from models.errors import InputError, Issue
from models.instance import (
    Attendance,
    Commune,
    Delegate,
    History,
    Instance,
    Meeting,
    Pair,
    PastVisit,
    Place,
    Road,
    Team,
    Unavailability,
)
from models.rules import TERMS, Rules, Weights
from models.solution import Assignment, Score, Solution, Unfilled, VisitSuggestion

__all__ = [
    "TERMS",
    "Assignment",
    "Attendance",
    "Commune",
    "Delegate",
    "History",
    "InputError",
    "Instance",
    "Issue",
    "Meeting",
    "Pair",
    "PastVisit",
    "Place",
    "Road",
    "Rules",
    "Score",
    "Solution",
    "Team",
    "Unavailability",
    "Unfilled",
    "VisitSuggestion",
    "Weights",
]

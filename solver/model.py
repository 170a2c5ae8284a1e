"""Build the neutral linear model of an encoded instance by running the rule list."""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass

from solver.encode import Encoding
from solver.linear import LinearModel
from solver.rules import HARD_RULES, SOFT_RULES, exclusion
from solver.variables import Scope, Variables


@dataclass
class BuiltModel:
    model: LinearModel
    variables: Variables


def build_model(
    enc: Encoding,
    scope: Scope | None = None,
    weights: Mapping[str, int] | None = None,
    *,
    relax_links: bool = False,
    allowed: Collection[tuple[int, int]] | None = None,
    also: Collection[str] = (),
    tight_links: bool = False,
    agency_links: bool = False,
) -> BuiltModel:
    """Variables for every active pair no hard rule excludes, then every rule's rows and terms.

    ``weights`` overrides the instance's weights (a relaxation drops a term with 0);
    ``relax_links`` leaves out the terms linking two decisions (see :class:`Variables`);
    ``allowed`` keeps only those (delegate, meeting) pairs, and the pinned ones; ``also``
    names terms to build even when weighted 0 (a lexicographic solve needs them);
    ``tight_links`` adds the rotation inequalities per window of months; ``agency_links``
    keeps agency repeat in a relaxation, aggregated.
    """
    model = LinearModel()
    v = Variables(
        enc,
        model,
        scope or Scope.whole(enc),
        relax_links=relax_links,
        tight_links=tight_links,
        agency_links=agency_links,
    )
    delegates = range(len(enc.delegates))
    for m in sorted(v.scope.active):
        for d in delegates:
            if allowed is not None and (d, m) not in allowed and (d, m) not in enc.pinned:
                continue
            if exclusion(v, d, m) is None:
                v.add_pair(d, m)
    for rule in HARD_RULES:
        if rule.build is not None:
            rule.build(v)
    for soft in SOFT_RULES:
        weight = enc.rules.weight(soft.term) if weights is None or soft.term not in weights else weights[soft.term]
        if weight or soft.term in also:
            model.penalize(soft.term, weight, soft.build(v))
    return BuiltModel(model, v)

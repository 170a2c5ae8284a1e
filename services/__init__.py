"""The service layer: each use case of the product once, free of HTTP.

A use case is a function of a SQLAlchemy session, the acting account and plain arguments
(or the validated input models the JSON API already parses); it checks the rules,
writes and commits, or raises a :mod:`services.errors` error and writes nothing. The JSON
API, the pages and the command line all call these functions; only the JSON API knows
HTTP statuses (:mod:`api.errors` maps the errors to them in one place).
"""

"""Business rules without HTTP: functions of a SQLAlchemy session, the acting user and
plain arguments, which raise domain errors (mapped to HTTP statuses in one place)."""

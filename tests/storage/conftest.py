"""Storage tests run on both databases (see :mod:`tests.storage.fixtures`)."""

from tests.storage.fixtures import backend, database, migrated, sample_document, tiny_document

__all__ = ["backend", "database", "migrated", "sample_document", "tiny_document"]

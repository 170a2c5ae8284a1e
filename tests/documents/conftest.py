"""Fixtures of the documents' tests: the sample documents of the storage tests."""

from tests.storage.fixtures import sample_document, tiny_document

__all__ = ["sample_document", "tiny_document"]

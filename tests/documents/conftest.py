"""Fixtures of the documents' tests: the sample documents of the storage tests, registered
for every test in ``tests/conftest.py``."""

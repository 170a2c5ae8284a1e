"""Storage tests run on both databases (see :mod:`tests.storage.fixtures`, registered for
every test in ``tests/conftest.py``)."""

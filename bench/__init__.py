"""The benchmark suite: generated instances by profile, every backend, a table and CSV.

Run by ``phancong bench``; kept apart from the tests (it measures, it does not assert).
"""

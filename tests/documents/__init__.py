"""Tests of models/documents."""

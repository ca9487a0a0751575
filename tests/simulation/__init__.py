"""Tests of the hall simulator."""

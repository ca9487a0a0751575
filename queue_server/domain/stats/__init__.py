"""Queue statistics as pure functions of the event log (see docs/statistics.md)."""

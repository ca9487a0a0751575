"""The manager console (`clerk-tui manager`): live hall, statistics, evaluations, cases."""

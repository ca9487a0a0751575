"""The hall simulator: seeded days of applicants and clerks, in virtual time or live."""

"""Operations on a database session. They raise domain errors and know nothing of HTTP."""

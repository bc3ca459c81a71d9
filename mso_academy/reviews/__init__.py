"""Reviews: trainers pass or return the work learners hand in (assignments and other reviewed kinds)."""

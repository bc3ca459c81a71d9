"""Looking after learners: a trainer's view of who is enrolled in a course, how far they are, and which quiz
questions confuse them."""

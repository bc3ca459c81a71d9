"""Benchmarks (`make bench`): seed a dataset, serve it with gunicorn, drive it with wrk. Not part of the tests."""

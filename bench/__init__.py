"""Benchmarks of issue 10 (not tests): ``bench/run.py`` builds a database with
``manage.py generate_province`` and runs ``bench/measure.py`` on it; docs/benchmarks.md."""

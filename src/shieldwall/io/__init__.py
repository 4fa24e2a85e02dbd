"""Results that last: run records (Parquet + JSON), the run database (DuckDB), exports.

- :mod:`.columns` declares every table of a run record, column by column (docs/results.md);
- :mod:`.record` builds a :class:`~.record.RunRecord` from simulation results;
- :mod:`.run_folder` writes it atomically and reads it back;
"""

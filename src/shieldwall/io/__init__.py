"""Results that last: run records (Parquet + JSON), the run database (DuckDB), exports.

- :mod:`.columns` declares every table of a run record, column by column (docs/results.md);
- :mod:`.tables`, :mod:`.provenance` build them from simulation results; :mod:`.record` holds
  them as a :class:`~.record.RunRecord`; :mod:`.run_folder` writes it atomically and reads it;
- :mod:`.index` is the run database; :mod:`.runner` runs a scenario into an indexed run folder;
- :mod:`.scene`, :mod:`.export`, :mod:`.geometry`, :mod:`.basemap` turn a record into CZML, KML,
  GeoJSON and maps.
"""

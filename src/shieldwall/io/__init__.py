"""Results that last: run folders (Parquet + JSON), run index (DuckDB), exports."""

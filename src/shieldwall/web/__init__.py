"""``shieldwall serve``: the viewer (FastAPI + CesiumJS) over the run records of ``io``."""

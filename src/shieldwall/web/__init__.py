"""``shieldwall serve``: FastAPI + Cesium viewer that reads runs (never imports the stages)."""

"""The questions: compare policies, phases, attribution, footprints, siting, sweeps."""

"""What the user says: YAML scenario + sourced catalog -> validated Scenario -> World (SI)."""

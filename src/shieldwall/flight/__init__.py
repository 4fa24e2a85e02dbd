"""How things move: threat trajectories (boost, free flight, reentry) and interceptor flyout."""

"""``simulate(world, policy, trials, seed) -> Results``: flight → sensing → tracking → battle →
outcome → metrics (DESIGN.md §1)."""

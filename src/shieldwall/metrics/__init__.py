"""How well it went: leakage, survival, inventory, confidence intervals."""

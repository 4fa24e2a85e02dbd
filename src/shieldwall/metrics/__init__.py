"""How well it went: leakage, survival, inventory, confidence intervals."""

from shieldwall.metrics.costs import CostMetrics, cost_metrics, cost_per_leaker_avoided
from shieldwall.metrics.intervals import mean_interval, paired_difference, wilson_interval
from shieldwall.metrics.summary import Metrics, decision_margin_s, summarize

__all__ = [
    "CostMetrics",
    "Metrics",
    "cost_metrics",
    "cost_per_leaker_avoided",
    "decision_margin_s",
    "mean_interval",
    "paired_difference",
    "summarize",
    "wilson_interval",
]

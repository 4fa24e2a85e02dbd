"""For people: figures, maps and the HTML/PDF report of a run or study folder."""

from shieldwall.report.html import report_html, write_report

__all__ = ["report_html", "write_report"]

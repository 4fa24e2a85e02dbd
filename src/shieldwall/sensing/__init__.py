"""What sensors can see: radar horizon, field of regard, RCS-scaled detection, EW satellites."""

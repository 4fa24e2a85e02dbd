"""For people: plots, maps, HTML/PDF reports."""

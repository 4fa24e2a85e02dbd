"""What the defense does: engagement windows, weapon-target assignment, doctrine."""

"""What happens: Monte Carlo over trials (reliability, detection, kills, leakers)."""

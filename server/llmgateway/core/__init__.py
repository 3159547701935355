"""Domain core."""

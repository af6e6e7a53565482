"""Customer-value analytics for web shops, free of any web framework."""

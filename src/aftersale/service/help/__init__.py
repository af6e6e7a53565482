"""The shop's help centre: categories, articles in fi/sv/en, search, feedback, visitor counts."""

"""Aftersale: the post-purchase platform for web shops."""

__version__ = "0.1.0"

"""OpenWatch: how the news describes AI models, open, closed or open-washed."""

__version__ = "0.1.0"

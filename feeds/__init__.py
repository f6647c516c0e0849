"""Feeds: data sources, the runner that ingests them, and the scheduler that times them."""

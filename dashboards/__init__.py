"""The Dash web application: the factory, the page shell, the pages and their callbacks."""

from dashboards.factory import create_app

__all__ = ["create_app"]

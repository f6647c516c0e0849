"""WSGI entry for several web workers (`gunicorn wsgi:server`): serves only, never schedules."""

from access.web.setup import warm_up
from dashboards import create_app
from settings import load_settings_or_exit

app = create_app(load_settings_or_exit())
server = app.server
# Dash registers its component bundles while rendering its first index page. Render it once
# here, so that a worker which has not served a page yet can still serve the bundles a page
# rendered by another worker asks for (otherwise: HTTP 500 "not a registered library").
warm_up(app)

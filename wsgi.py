"""WSGI entry for several web workers (`gunicorn wsgi:server`): serves only, never schedules."""

from dashboards import create_app
from settings import load_settings_or_exit

server = create_app(load_settings_or_exit()).server

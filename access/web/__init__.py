"""The sign-in layer of the web app: sessions, the guard in front of every request, CSRF."""

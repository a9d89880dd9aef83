"""WSGI entry point for any production server: `gunicorn wsgi:app`."""

from mockloop import create_app

app = create_app()

"""The WSGI entry point: ``gunicorn wsgi:app``."""

from exhibit import create_app

app = create_app()

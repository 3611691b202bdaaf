"""The WSGI entry point: ``gunicorn --preload wsgi:app`` (docs/operations.md)."""

from exhibit import create_app
from exhibit.preload import preload

app = create_app()
preload(app)

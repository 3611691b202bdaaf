"""The web site: one blueprint per module (Jinja2 pages in ``templates/<blueprint>/``), the
site-wide error pages and helpers (site.py), hardening (security.py) and ``/healthz``.

A view parses its input, calls one service and renders; it never commits (services are
units of work). The JSON API is its sibling, ``exhibit.api``.
"""

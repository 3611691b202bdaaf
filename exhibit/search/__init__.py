"""Catalogue search: pure text processing (``text``) and the database index (``index``)."""

"""Catalogue: regions, tracks, exhibitors, solutions and their public pages."""

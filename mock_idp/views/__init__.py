"""Thin blueprints: HTTP in, one core call, HTTP out."""

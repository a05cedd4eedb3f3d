"""Thin blueprints: HTTP in, one use-case call, HTTP out."""

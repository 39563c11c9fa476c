"""Mutations, one module per area. Each takes one ``input`` and returns a payload with ``userErrors``."""

"""Strawberry types. Field resolvers stay a line or two: decisions live in ``resolvers``."""

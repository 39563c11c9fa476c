"""Copernicus requests: what callers ask for (``requests``) and the worker that fulfils them (``worker``)."""

"""Copernicus upstream services behind one provider interface."""

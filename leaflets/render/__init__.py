"""Rendering: one leaflet in one language to HTML, then to a print-ready PDF."""

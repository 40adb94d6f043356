"""leaflets: print-ready PDF patient leaflets from gettext catalogs and Jinja2 templates."""

__version__ = "0.1.0"

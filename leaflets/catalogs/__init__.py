"""Catalogs: reading PO files strictly, checking translations, extracting and merging messages."""

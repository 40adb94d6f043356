"""The default theme: shared templates and catalogs a project may override file by file."""

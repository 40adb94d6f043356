"""Tools for translators built on the build: status and check, proofs, pseudo-locales."""

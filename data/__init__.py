"""Embedded default data of maillage (see README.md in this folder)."""

"""Backups of the whole deployment (database and stored files), encrypted with age and signed; restores."""

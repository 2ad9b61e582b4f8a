"""Exports of decks to other formats: printable PDF cards (and later Anki and CSV)."""

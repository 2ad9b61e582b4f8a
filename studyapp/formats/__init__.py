"""Reading and writing other programs' formats: CSV, Anki packages and text, practice pages."""

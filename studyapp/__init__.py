"""studyapp: study a page as questions, flashcards and graded worked numeric exercises."""

__version__ = "0.1.0"

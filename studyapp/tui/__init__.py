"""The Textual face of studyapp: home, review, quiz, worked exercises, calculator, stats, export."""

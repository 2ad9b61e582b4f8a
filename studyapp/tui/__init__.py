"""The Textual face of studyapp: home, review, quiz, worked exercises, calculator, stats, export."""

import gc

# Start-up (importing Textual, composing and painting home, loading the library) makes
# objects that live as long as the app, and the collector walked them about a hundred
# times before the first paint (15 ms of it). It waits until the library has loaded
# (`StudyApp.startup_done`), which also freezes what exists by then.
gc.disable()

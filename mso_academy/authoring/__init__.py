"""The web editor: trainers build, preview and publish courses (see `services`)."""

"""Publishing the current state of every aggregate booking owns again, for its state topic."""

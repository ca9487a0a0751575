"""The widgets the hall and window boards are built from."""

"""Widgets the kiosk's screens are built from."""

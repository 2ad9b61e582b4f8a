"""Widgets the screens share, one class per module."""

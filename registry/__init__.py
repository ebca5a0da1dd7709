"""Pakta: registry."""

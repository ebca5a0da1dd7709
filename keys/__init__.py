"""Pakta: keys."""

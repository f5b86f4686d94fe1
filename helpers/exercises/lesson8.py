"""Lesson 8: exercises (being written)."""
from __future__ import annotations

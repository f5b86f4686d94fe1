"""Lesson 7: exercises (being written)."""
from __future__ import annotations

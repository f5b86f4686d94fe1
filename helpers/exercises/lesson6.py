"""Lesson 6: exercises (being written)."""
from __future__ import annotations

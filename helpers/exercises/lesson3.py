"""Lesson 3: exercises (being written)."""
from __future__ import annotations

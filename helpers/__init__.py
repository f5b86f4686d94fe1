"""Plumbing for the Descent notebooks: data, plots, widgets and exercise checks.

The mechanisms the lessons teach (finite differences, backward(), zeroing, the update step)
are written out in the notebooks themselves, never here.
"""

"""Exercises for a class (`cnncalc exercise`): single-layer drills (drills.py)."""

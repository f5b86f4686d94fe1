"""The exercises of each lesson, one module per lesson (lesson1.py, ...), registered in helpers.checks.

Each exercise gives two hints before its solution, and its test answers a wrong answer with one
friendly sentence. tests/test_checks.py runs every solution through its own test.
"""

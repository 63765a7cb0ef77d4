"""The fault-injection soak (`make soak`, `python -m tests.soak`); see __main__.py.

Importing this package (as pytest does when it collects tests/soak/test_*.py) runs nothing.
"""

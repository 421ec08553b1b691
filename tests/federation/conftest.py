"""The federation fixtures (jp_template, jp_factory, jp, eu_node) live in tests/conftest.py, so that every
exchange's contract test can use a real JP node too."""

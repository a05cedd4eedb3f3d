import pytest

# The attack driver's assertions are the oracle: let pytest explain them when they fail.
pytest.register_assert_rewrite("tests.attacks.driver")

"""ohshi-desk: オンライン資格確認の補助金を受付スタッフが見積もるためのオフライン・デスクトップアプリ."""

__version__ = "0.1.0"  # as pyproject.toml's version (tests/test_rules_validation.py checks they agree)

import pytest


@pytest.fixture(scope="session")
def nlp_pipeline():
    """The pipeline, loaded once per test session (jieba's dictionary takes a second)."""
    from nlp import load_pipeline

    return load_pipeline()

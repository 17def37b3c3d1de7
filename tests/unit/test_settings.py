"""settings_env: the environment that gives a subprocess worker its settings."""

import pytest
from claimstream.settings import Settings, settings_env


def test_settings_env_names_the_variables_a_worker_reads(monkeypatch: pytest.MonkeyPatch) -> None:
    env = settings_env(app_id="g-1", articles_topic="in-1", topic_partitions=3)
    assert env == {
        "CLAIMSTREAM_APP_ID": "g-1",
        "CLAIMSTREAM_ARTICLES_TOPIC": "in-1",
        "CLAIMSTREAM_TOPIC_PARTITIONS": "3",
    }
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    read = Settings()
    assert (read.app_id, read.articles_topic, read.topic_partitions) == ("g-1", "in-1", 3)


def test_settings_env_refuses_a_name_that_is_no_setting() -> None:
    with pytest.raises(ValueError, match="no such settings: article_topic"):
        settings_env(article_topic="typo")

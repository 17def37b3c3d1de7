"""The recipe sweep's option parsing and its per-recipe table (no training run)."""

import pytest
from claimstream.training.sweep import parse_recipe, summarise


def test_recipe_options_are_split_like_a_shell() -> None:
    assert parse_recipe("base") == ("base", [])
    assert parse_recipe("neg1=--neg-frac 1.0") == ("neg1", ["--neg-frac", "1.0"])
    assert parse_recipe("bs32=--batch-size 32 --lr 2e-4") == ("bs32", ["--batch-size", "32", "--lr", "2e-4"])


@pytest.mark.parametrize("spec", ["=--lr 2e-4", "a b=--lr 1", "../x=--lr 1"])
def test_a_recipe_name_that_cannot_name_a_folder_is_refused(spec: str) -> None:
    with pytest.raises(ValueError, match="recipe name"):
        parse_recipe(spec)


def test_each_recipe_is_judged_by_its_mean_over_seeds() -> None:
    runs = [
        {"name": "base", "seed": 13, "dev": 0.670},
        {"name": "t28", "seed": 13, "dev": 0.701},
        {"name": "base", "seed": 14, "dev": 0.693},
        {"name": "t28", "seed": 15, "dev": 0.703},
    ]
    rows = summarise(runs)
    assert [r["name"] for r in rows] == ["base", "t28"]
    base, t28 = rows
    assert base["seeds"] == [13, 14]
    assert base["mean"] == pytest.approx(0.6815)
    assert base["spread"] == pytest.approx(0.023)
    assert t28["mean"] == pytest.approx(0.702)

from mockloop.core.kept import Kept


def test_the_least_recently_used_entry_goes_first():
    kept: Kept[str] = Kept(2)
    kept.put("a", "A")
    kept.put("b", "B")
    assert kept.get("a") == "A"  # "a" is now the most recently used
    kept.put("c", "C")
    assert (kept.get("a"), kept.get("b"), kept.get("c")) == ("A", None, "C")


def test_putting_a_key_again_replaces_its_value():
    kept: Kept[int] = Kept(2)
    kept.put("a", 1)
    kept.put("a", 2)
    kept.put("b", 3)
    assert (kept.get("a"), kept.get("b")) == (2, 3)

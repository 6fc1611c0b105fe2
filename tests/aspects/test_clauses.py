"""Reviews are cut where they change subject, in English, Chinese and Portuguese, with spans a quote can bold."""

from insight.aspects import clause_table, split_clauses


def _cores(text: str) -> list[str]:
    return [c.core for c in split_clauses(text)]


def test_a_review_that_praises_then_complains_becomes_two_clauses_in_each_language():
    assert _cores("Tastes great, but the box arrived crushed.") == ["Tastes great,", "the box arrived crushed."]
    assert _cores("味道很好，但是包装破损了。") == ["味道很好，", "包装破损了。"]
    assert _cores("Produto muito bom, mas a entrega atrasou muito.") == [
        "Produto muito bom,",
        "a entrega atrasou muito.",
    ]


def test_sentences_are_clauses_and_a_fragment_too_short_to_say_anything_joins_its_neighbour():
    clauses = split_clauses("Ok. The battery dies within a day! Screen is sharp and bright.")
    assert len(clauses) == 2
    assert clauses[0].core.startswith("Ok. The battery dies")
    assert clauses[1].core == "Screen is sharp and bright."


def test_spans_point_at_the_clause_in_the_review_as_shown_with_its_title():
    title, body = "Great grinder", "Grinds evenly. However, the burr broke after a week."
    table = clause_table(["r1"], [body], [title])
    shown = f"{title} {body}"
    assert list(table["clause"]) == [0, 1, 2]
    pieces = [shown[s:e] for s, e in zip(table["start"], table["end"], strict=True)]
    assert pieces == ["Great grinder", "Grinds evenly.", "However, the burr broke after a week."]
    assert table["core"].iloc[2] == "the burr broke after a week."


def test_empty_or_missing_text_has_no_clauses():
    assert split_clauses(None) == [] and split_clauses("   ") == []
    assert clause_table(["r1", "r2"], [None, ""]).empty

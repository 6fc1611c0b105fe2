"""A merchant's edit is checked before it is stored, with a message that says what to fix."""

import pytest

from insight.aspects import check_edit


def test_a_seed_keeps_its_words_one_per_line_without_repeats_or_blanks():
    edit = check_edit("seed", "Kitchen", label="  battery ", phrases="battery\n电池\n\n bateria \nbattery")
    assert (edit.kind, edit.label, edit.phrases, edit.aspect_id) == (
        "seed",
        "battery",
        ["battery", "电池", "bateria"],
        None,
    )


@pytest.mark.parametrize(
    ("kind", "fields", "message"),
    [
        ("rename", {"aspect_id": 3, "label": " "}, "needs a name"),
        ("merge", {"aspect_id": 3, "into_id": 3}, "two different aspects"),
        ("split", {"aspect_id": 3, "label": "lid"}, "at least one word"),
        ("seed", {"phrases": ["battery"]}, "needs a name"),
        ("rename", {"label": "x"}, "needs the aspect"),
        ("delete", {"aspect_id": 3}, "one of rename, merge, split, seed"),
        ("seed", {"label": "x" * 81, "phrases": ["a"]}, "at most 80 characters"),
    ],
)
def test_a_bad_edit_is_refused_saying_what_is_wrong(kind, fields, message):
    with pytest.raises(ValueError, match=message):
        check_edit(kind, "Kitchen", **fields)


def test_a_merge_keeps_no_name_or_words_it_does_not_use():
    edit = check_edit("merge", "Kitchen", aspect_id=4, into_id=2, label="ignored", phrases=["x"])
    assert (edit.aspect_id, edit.into_id, edit.label, edit.phrases) == (4, 2, None, [])

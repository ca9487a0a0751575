"""Exports never hand a spreadsheet a formula from free text (a typed pause reason)."""

from queue_server.reports.exports import safe_cell


def test_text_that_looks_like_a_formula_stays_text() -> None:
    assert safe_cell('=HYPERLINK("http://x","点我")') == '\'=HYPERLINK("http://x","点我")'
    assert [safe_cell(v) for v in ("+1", "-2", "@A1", "休息", 3, -4.5, None)] == [
        "'+1",
        "'-2",
        "'@A1",
        "休息",
        3,
        -4.5,
        None,
    ]

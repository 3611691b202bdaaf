"""Printed-map geometry: paper, true scale, labels that stay inside their booths."""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from shapely.geometry import box

from exhibit.maps.printing import (
    INDEX_TEXT_MM,
    MARGIN,
    PrintError,
    fit_label,
    index_pages,
    scale_bar,
    sheet_for,
    text_width,
    wrap,
)


def test_true_scale_a_3_m_booth_is_15_mm_at_1_to_200():
    sheet = sheet_for("A0", True, 100, 60, 200)
    assert sheet.k == 5.0
    assert 3 * sheet.k == 15.0
    assert (sheet.width_mm, sheet.height_mm) == (1189, 841)


def test_fit_to_page_uses_the_space_and_keeps_proportions():
    sheet = sheet_for("A4", False, 100, 60, None)
    assert sheet.scale is None
    assert sheet.draw_width_mm == pytest.approx(190)
    assert sheet.draw_height_mm / sheet.draw_width_mm == pytest.approx(0.6)


def test_a_hall_that_does_not_fit_at_the_scale_is_refused_clearly():
    with pytest.raises(PrintError, match="не помещается на A3"):
        sheet_for("A3", True, 100, 60, 100)


@pytest.mark.parametrize(("paper", "scale"), [("B5", None), ("A1", 250)])
def test_unknown_paper_or_scale(paper, scale):
    with pytest.raises(PrintError):
        sheet_for(paper, False, 100, 60, scale)


def test_long_names_are_shortened_then_dropped():
    k = 5.0  # 1:200
    wide = fit_label("A12", "Администрация городского округа «Город Ирбит»", box(0, 0, 6, 3), k)
    assert wide.lines[0] == "A12" and wide.lines[1].endswith("…")
    tiny = fit_label("A12", "Администрация", box(0, 0, 1.0, 0.6), k)
    assert tiny.lines == ("A12",)
    fits = fit_label("A1", "Ирбит", box(0, 0, 6, 6), k)
    assert fits.lines == ("A1", "Ирбит")


@settings(max_examples=200, deadline=None)
@given(
    width=st.floats(0.8, 20), height=st.floats(0.8, 20), k=st.sampled_from([2.0, 5.0, 8.2, 10.0]),
    name=st.text(alphabet="абвгдежзиклмнопрстуфхцчшщэюя «»-", min_size=0, max_size=60),
)  # fmt: skip
def test_labels_never_leave_their_booth(width, height, k, name):
    label = fit_label("B12", name or None, box(0, 0, width, height), k)
    for n, line in enumerate(label.lines):
        size = label.first_mm if n == 0 else label.size_mm
        assert text_width(line, size, bold=n == 0) <= width * k * 0.84 + 1e-6
    assert label.width_mm <= width * k * 0.84 + 1e-6
    assert label.height_mm <= height * k * 0.84 + 1e-6


def test_the_number_stays_larger_than_a_long_name():
    label = fit_label("A12", "9 м² · 118 800 ₽", box(0, 0, 3, 3), 8.0)
    assert label.lines == ("A12", "9 м² · 118 800 ₽")
    assert label.first_mm > 1.5 * label.size_mm


def test_text_is_measured_with_the_fonts_own_advances():
    # DejaVu Sans Bold: «W» is far wider than «i»; the regular face is narrower than bold.
    assert text_width("WWW", 10, bold=True) > 2 * text_width("iii", 10, bold=True)
    assert text_width("A10", 10) < text_width("A10", 10, bold=True)
    assert text_width("1", 10) == pytest.approx(6.36, abs=0.01)  # DejaVu Sans digits: 0.636 em


def test_scale_bar_is_round_and_short():
    assert scale_bar(5.0) == (10, 50.0)
    assert scale_bar(8.2)[0] == 5


def test_aisle_dimensions_measure_the_gap_between_rows():
    from exhibit.maps.printing import aisle_dimensions

    hall = box(0, 0, 30, 20)
    south = [box(x, 5, x + 3, 8) for x in range(3, 27, 3)]
    north = [box(x, 11, x + 3, 14) for x in range(3, 27, 3)]  # 3 m aisle between the rows
    dims = aisle_dimensions(south + north, [], hall, spacing=100)
    widths = sorted({d.width for d in dims})
    assert 3.0 in widths
    assert all(0.9 <= w <= 25 for w in widths)


@settings(max_examples=60, deadline=None)
@given(
    st.lists(st.text("абвгд ежзАБВ-«»W", min_size=1, max_size=60), max_size=8).map(" ".join),
    st.floats(10, 120),
)
def test_wrapped_lines_fit_and_keep_every_letter(text, width):
    lines = wrap(text, width, INDEX_TEXT_MM)
    assert all(text_width(line, INDEX_TEXT_MM) <= width for line in lines if len(line) > 1)
    assert "".join(lines).replace(" ", "") == text.replace(" ", "")


def test_the_map_index_fills_pages_in_order_and_within_the_margins():
    entries = [f"Администрация города № {i} — A{i}" for i in range(300)]
    entries.append("Очень " * 60 + "длинное название — B1, B2")  # wraps on A4
    pages = index_pages("Указатель участников — Павильон 1", entries, 210, 297)
    assert len(pages) > 2
    first = pages[0][0]
    assert first.bold and first.text == "Указатель участников — Павильон 1"
    printed = [line.text for page in pages for line in page if not line.bold]
    assert printed[:300] == entries[:300]
    assert " ".join(printed[300:]).split() == entries[300].split()
    for page in pages:
        baselines = [line.y for line in page]
        assert baselines == sorted(baselines)
        assert baselines[0] > MARGIN and baselines[-1] < 297 - MARGIN
        assert all(line.x >= MARGIN and text_width(line.text, line.size, bold=line.bold)
                   <= 210 - 2 * MARGIN for line in page)  # fmt: skip
    # An entry that wraps stays on one page.
    long_lines = [i for i, page in enumerate(pages) for line in page if "Очень" in line.text]
    assert len(set(long_lines)) == 1


def test_the_printing_modules_load_no_renderer_until_they_print():
    """WeasyPrint, CairoSVG, cairo, pypdf and segno are imported where a PDF is made, not
    when the app imports the modules that make them (every command would pay for them)."""
    import subprocess
    import sys

    code = (
        "import sys\n"
        "import exhibit.maps.pdf, exhibit.maps.printing, exhibit.maps.catalogue_pdf\n"
        "import exhibit.html_pdf\n"
        "heavy = ('weasyprint', 'cairosvg', 'cairocffi', 'pypdf', 'segno', 'fontTools')\n"
        "print(sorted(m for m in heavy if m in sys.modules))\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[]"


def test_a_plan_that_needs_2_mm_text_never_prints_a_smaller_number():
    """The fire-safety plan (ГОСТ Р 12.2.143-2009: text at least 2 mm): at 1:500 a 3 m booth
    is 6 mm wide — its four-digit number takes the booth's whole width at 2 mm rather than
    shrinking to 1.8 mm; a 2 m booth has no room for 2 mm and goes without it."""
    from shapely.geometry import box as rect

    from exhibit.maps.printing import fit_label

    k = 2.0  # 1:500
    plain = fit_label("1937", None, rect(0, 0, 3, 3), k)
    assert plain.size_mm < 2.0  # what the other editions do
    fire = fit_label("1937", None, rect(0, 0, 3, 3), k, min_mm=2.0)
    assert fire.lines == ("1937",) and fire.size_mm == 2.0 and fire.width_mm <= 3 * k
    assert fit_label("1937", None, rect(0, 0, 2, 2), k, min_mm=2.0).lines == ()
    # Where the booth is big enough the number is as large as before.
    big = fit_label("1937", None, rect(0, 0, 6, 6), k, min_mm=2.0)
    assert big == fit_label("1937", None, rect(0, 0, 6, 6), k)

"""The shared PDF toolkit: the embedded font, escaping, wrapping, page furniture and QR codes."""
from __future__ import annotations

import threading
import time
from pathlib import Path

import pytest
import reportlab
from flask_babel import force_locale
from reportlab.lib.units import mm
from reportlab.platypus import PageBreak

from app.reports.pdf import fonts
from app.reports.pdf.base import PageSetup, render_pdf
from app.reports.pdf.elements import bullets, clip, data_table, escape, para, qr_code, styles
from tests.reports.pdfcheck import flat, has_links_or_images, page_texts, reader
from tests.reports.pdfcheck import fonts as pdf_fonts

HOSTILE = [
    "<b>x</b>",
    '<img src="/etc/passwd"/>',
    "&amp;",
    '<a href="javascript:alert(1)">click</a>',
    '<font name="Helvetica" size="40">big</font>',
    "&nbsp;&#60;&lt;",
    "<br/><para>",
    "]]><![CDATA[",
]


def render(*flowables, **setup):
    setup.setdefault("document_title", "Toolkit test")
    with force_locale("en"):
        return render_pdf(list(flowables), PageSetup(**setup))


def test_chinese_english_and_mixed_text_survive_with_digits_and_latin(app):
    pdf = render(
        para("旧城改造 Phase 2 第3期"),
        para("Public hearing on bus route 42"),
        para("座谈会第12次会议，No.7 会议室（3楼）"),
        title="旧城改造 Phase 2 第3期",
    )
    text = page_texts(pdf)[0]
    assert "旧城改造 Phase 2 第3期" in text
    assert "Public hearing on bus route 42" in text
    assert "座谈会第12次会议，No.7 会议室（3楼）" in text


def test_every_font_in_the_pdf_is_an_embedded_subset_of_the_cjk_font(app):
    pdf = render(para("中文 English 123"), para("粗体 Bold", styles().heading), watermark="DRAFT / 草稿")
    found = pdf_fonts(pdf)
    assert found
    for font in found:
        assert font["embedded"], font
        assert "+" in font["name"], f"{font['name']} is not a subset"
        assert "STSong" not in font["name"] and "Helvetica" not in font["name"]


def test_simulated_bold_embeds_the_font_once_and_strokes_the_glyphs(app):
    text = "签到表 Sign-in sheet 2026"
    regular_only = render(para(text, styles().body))
    with_bold = render(para(text, styles().body), para(text, styles().heading))
    assert len(pdf_fonts(with_bold)) == len(pdf_fonts(regular_only))
    content = reader(with_bold).pages[0].get_contents().get_data().decode("latin-1")
    assert "2 Tr" in content  # fill and stroke
    assert "q BT" in content  # inside q/Q, so the stroke width never reaches table rules
    assert text in page_texts(with_bold)[0]


@pytest.mark.parametrize("text", HOSTILE)
def test_user_text_that_looks_like_markup_is_printed_literally(app, text):
    pdf = render(para(f"before {text} after"), title=text, details=[("Place", text)])
    page = page_texts(pdf)[0]
    assert f"before {text} after" in page
    assert flat(page).count(flat(text)) >= 3  # letterhead title, details and body
    assert not has_links_or_images(pdf)


def test_escape_neutralises_tags_and_entities_and_keeps_line_breaks(app):
    assert escape('<b>x</b> & "q"') == "&lt;b&gt;x&lt;/b&gt; &amp; &quot;q&quot;"
    assert escape("&amp;") == "&amp;amp;"
    assert escape("one\ntwo\r\nthree\rfour") == "one<br/>two<br/>three<br/>four"
    assert escape(None) == ""
    assert escape("nul\x00 bell\x07 tab\tend") == "nul bell tab end"


def test_line_breaks_in_user_text_become_lines(app):
    text = page_texts(render(para("第一行 line one\n第二行 line two")))[0]
    assert "第一行 line one\n第二行 line two" in text


def test_characters_the_font_lacks_show_as_a_box_not_silently_dropped(app):
    text = page_texts(render(para("吉野家 𠮷野家 😀 ok")))[0]
    assert "吉野家 □野家 □ ok" in text


def test_unusual_spaces_and_hyphens_become_plain_ones(app):
    text = page_texts(render(para("2:20\u202fPM non\u2011breaking")))[0]
    assert "2:20 PM non-breaking" in text


def test_a_ten_thousand_character_unbroken_run_wraps_over_pages(app):
    latin = "A" * 10_000
    chinese = "中" * 10_000
    pdf = render(para(latin), PageBreak(), para(chinese))
    pages = page_texts(pdf)
    assert len(pages) >= 4
    everything = flat("".join(pages))
    assert everything.count("A") >= 10_000
    assert everything.count("中") == 10_000


def test_text_without_chinese_wraps_at_spaces_and_keeps_words_whole(app):
    from app.reports.pdf.elements import wrap_style

    body = styles().body
    assert wrap_style("Maria Gonzalez-Fernández", body).wordWrap is None
    assert wrap_style("王小明 Wang", body).wordWrap == "CJK"
    cell = para("Maria Gonzalez-Fernández", styles().cell)
    cell.wrap(40 * mm, 1000)
    assert [line[1] for line in cell.blPara.lines] == [["Maria"], ["Gonzalez-Fernández"]]


def test_every_page_has_the_letterhead_and_page_x_of_y(app):
    rows = [[str(i), f"居民 {i}", "后湖街道"] for i in range(1, 121)]
    pdf = render(
        data_table(["No.", "Name", "District"], rows, [20 * mm, 60 * mm, 60 * mm]),
        title="旧城改造 Phase 2 第3期",
        details=[("Place", "社区服务中心")],
        generated_on="24 November 2026",
    )
    pages = page_texts(pdf)
    assert len(pages) >= 3
    for number, text in enumerate(pages, start=1):
        assert "Toolkit test" in text
        assert "旧城改造 Phase 2 第3期" in text
        assert "社区服务中心" in text
        assert "No." in text and "District" in text  # the repeated header row
        assert f"Page {number} of {len(pages)}" in text
        assert "Generated on 24 November 2026" in text


def test_generated_on_defaults_to_now_in_the_current_locale(app):
    with force_locale("zh_Hans_CN"):
        pdf = render_pdf([para("x")], PageSetup(document_title="T"))
    assert "年" in page_texts(pdf)[0]


def test_watermark_is_drawn_on_every_page(app):
    pdf = render(para("page one"), PageBreak(), para("page two"), watermark="DRAFT / 草稿")
    for text in page_texts(pdf):
        assert "DRAFT / 草稿" in text


def test_table_cells_are_clipped_so_a_row_always_fits_on_a_page(app):
    pdf = render(data_table(["Name"], [["W" * 10_000], ["short"]], [40 * mm]))
    text = flat("".join(page_texts(pdf)))
    assert "W" * 300 in text and "W" * 1000 not in text
    assert "…short" in text


def test_clip_and_bullets(app):
    assert clip("abcdef", 4) == "abc…"
    assert clip("abc", 4) == "abc"
    assert clip(None, 4) == ""
    items = bullets(["<b>one</b>", "", None, "二"])
    assert len(items) == 2
    assert "&lt;b&gt;" in items[0].text


def test_qr_code_is_a_square_drawing_of_the_requested_size_encoding_the_payload(app):
    drawing = qr_code("townhall:checkin:42:K7P-4Q2", 40 * mm)
    assert (drawing.width, drawing.height) == (40 * mm, 40 * mm)
    assert drawing.contents[0].value == "townhall:checkin:42:K7P-4Q2"
    with pytest.raises(ValueError):
        qr_code("", 10 * mm)


# --- fonts -------------------------------------------------------------------------------------


def test_a_configured_font_path_that_does_not_exist_fails_loudly():
    with pytest.raises(fonts.FontNotFound, match="PDF_CJK_FONT_PATH"):
        fonts.find_font_file("/no/such/font.ttc")


def test_no_font_among_the_candidates_fails_with_an_install_hint():
    with pytest.raises(fonts.FontNotFound, match="fonts-wqy-microhei"):
        fonts.find_font_file(None, candidates=("/no/such/a.ttc", "/no/such/b.ttf"))


def test_a_font_without_chinese_is_refused_rather_than_dropping_text():
    vera = Path(reportlab.__file__).parent / "fonts" / "Vera.ttf"
    with pytest.raises(fonts.FontNotFound, match="lacks characters"):
        fonts.register_font(str(vera))


def test_a_file_that_is_not_a_truetype_font_is_refused(tmp_path):
    bogus = tmp_path / "NotoSansCJK-Regular.ttc"
    bogus.write_bytes(b"OTTO" + b"\0" * 200)
    with pytest.raises(fonts.FontNotFound, match="TrueType"):
        fonts.register_font(str(bogus))


def test_the_configured_path_is_used(app, monkeypatch):
    path = fonts.cjk_font().path
    monkeypatch.setattr(fonts, "_font", None)
    app.config["PDF_CJK_FONT_PATH"] = path
    assert fonts.cjk_font().path == path
    app.config["PDF_CJK_FONT_PATH"] = "/no/such/font.ttc"
    monkeypatch.setattr(fonts, "_font", None)
    with pytest.raises(fonts.FontNotFound):
        fonts.cjk_font()


def test_the_font_is_registered_once_even_when_threads_race(app, monkeypatch):
    monkeypatch.setattr(fonts, "_font", None)
    calls = []
    real_register = fonts.register_font

    def slow_register(*args, **kwargs):
        calls.append(1)
        time.sleep(0.05)
        return real_register(*args, **kwargs)

    monkeypatch.setattr(fonts, "register_font", slow_register)
    results = []
    threads = [threading.Thread(target=lambda: results.append(fonts.cjk_font())) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(calls) == 1
    assert len({id(result) for result in results}) == 1


def test_the_font_covers_latin_digits_and_chinese(app):
    font = fonts.cjk_font()
    for char in "Aa09中文签到表，。":
        assert font.covers(char)

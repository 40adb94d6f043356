"""Catalogs are read strictly, report file:line, and never fall back silently."""

from __future__ import annotations

import pytest
from conftest import FIXTURES

from leaflets.catalogs.pofile import StrictTranslations, missing_translations, read_po, write_po_file
from leaflets.errors import CatalogError


def write(tmp_path, text: str, name="x.po", encoding="utf-8"):
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return path


HEADER = 'msgid ""\nmsgstr ""\n"Language: es\\n"\n"Content-Type: text/plain; charset=UTF-8\\n"\n'


def test_broken_fixture_names_file_and_line():
    with pytest.raises(CatalogError) as caught:
        read_po(FIXTURES / "broken.po", "tests/fixtures/broken.po")
    assert caught.value.path == "tests/fixtures/broken.po"
    assert caught.value.lineno == 11
    assert str(caught.value).startswith("tests/fixtures/broken.po:11: ")


def test_duplicate_message_is_an_error(tmp_path):
    path = write(tmp_path, HEADER + '\nmsgid "a"\nmsgstr "b"\n\nmsgid "a"\nmsgstr "c"\n')
    with pytest.raises(CatalogError, match="duplicate message") as caught:
        read_po(path)
    assert caught.value.lineno == 9


def test_invalid_utf8_names_line(tmp_path):
    path = tmp_path / "latin1.po"
    path.write_bytes((HEADER + '\nmsgid "a"\nmsgstr "').encode() + "é\"\n".encode("latin-1"))
    with pytest.raises(CatalogError, match="UTF-8") as caught:
        read_po(path)
    assert caught.value.lineno == 7


def test_bad_escape_is_an_error(tmp_path):
    path = write(tmp_path, HEADER + '\nmsgid "a"\nmsgstr "b\\q"\n')
    with pytest.raises(CatalogError, match="bad escape") as caught:
        read_po(path)
    assert caught.value.lineno == 7


def test_nul_byte_is_an_error(tmp_path):
    path = write(tmp_path, HEADER + '\nmsgid "a"\nmsgstr "\x00"\n')
    with pytest.raises(CatalogError, match="NUL") as caught:
        read_po(path)
    assert caught.value.lineno == 7


def test_other_charset_is_refused(tmp_path):
    path = write(tmp_path, HEADER.replace("UTF-8", "ISO-8859-1") + '\nmsgid "a"\nmsgstr "b"\n')
    with pytest.raises(CatalogError, match="ISO-8859-1") as caught:
        read_po(path)
    assert caught.value.lineno == 4


def test_bom_and_crlf_are_read(tmp_path):
    text = HEADER + '"X-Medical-Reviewer: Dr A. Example\\n"\n\nmsgid "a"\nmsgstr "b"\n'
    path = tmp_path / "crlf.po"
    path.write_bytes(b"\xef\xbb\xbf" + text.replace("\n", "\r\n").encode())
    po = read_po(path)
    assert po.catalog.get("a").string == "b"
    assert po.reviewer == "Dr A. Example"


def test_reviewer_header_survives_a_write(tmp_path):
    po = read_po(write(tmp_path, HEADER + '\nmsgid "a"\nmsgstr "b"\n'))
    assert po.reviewer is None
    out = tmp_path / "out.po"
    write_po_file(out, po.catalog, {"X-Medical-Reviewer": "none", "X-Medical-Review-Date": ""})
    again = read_po(out)
    assert again.headers["X-Medical-Reviewer"] == "none"
    assert again.reviewer is None
    assert again.catalog.get("a").string == "b"


def test_missing_fuzzy_and_untranslated_are_listed_with_lines(tmp_path):
    path = write(tmp_path, HEADER + '\nmsgid "done"\nmsgstr "hecho"\n\n#, fuzzy\n'
                 'msgid "fuzzy"\nmsgstr "borroso"\n\nmsgid "empty"\nmsgstr ""\n')
    po = read_po(path, "locales/es/x.po")
    wanted = [("done", None, "t:1"), ("fuzzy", None, "t:2"), ("empty", None, "t:3"),
              ("absent", None, "templates/x.html:4")]
    problems = [str(p) for p in missing_translations(po, wanted)]
    assert problems == [
        'locales/es/x.po:10: fuzzy: "fuzzy"',
        'locales/es/x.po:13: untranslated: "empty"',
        'locales/es/x.po: missing: "absent" (used at templates/x.html:4); '
        "run 'leaflets update' to add it",
    ]


def test_strict_translations_record_misses_and_skip_fuzzy(tmp_path):
    path = write(tmp_path, HEADER + '\nmsgid "a"\nmsgstr "A"\n\n#, fuzzy\nmsgid "f"\nmsgstr "F"\n')
    translations = StrictTranslations.from_catalogs([read_po(path)])
    assert translations.gettext("a") == "A"
    assert translations.gettext("f") == "f"
    assert translations.gettext("nope") == "nope"
    assert translations.misses == ["f", "nope"]


def test_wrong_number_of_plural_forms_is_an_error(tmp_path):
    path = tmp_path / "pl.po"
    path.write_text('msgid ""\nmsgstr ""\n"Plural-Forms: nplurals=3; plural=(n != 1);\\n"\n\n'
                    'msgid "day"\nmsgid_plural "days"\nmsgstr[0] "dzień"\nmsgstr[1] "dni"\n',
                    encoding="utf-8")
    with pytest.raises(CatalogError, match="2 plural forms .* nplurals=3") as err:
        read_po(path, "pl.po")
    assert str(err.value).startswith("pl.po:5: ")


def test_previous_msgid_is_read_and_written_back_as_is(tmp_path):
    from leaflets.catalogs.pofile import po_bytes

    text = ('msgid ""\nmsgstr ""\n"Language: fr\\n"\n"X-Generator: Poedit 3.4\\n"\n\n'
            '#, fuzzy\n#| msgid ""\n#| "Old text that was long enough to be wrapped over two '
            'lines in the "\n#| "file."\nmsgid "New"\nmsgstr "Nouveau"\n\n'
            '#~ msgid "gone"\n#~ msgstr "parti"\n')
    path = tmp_path / "fr.po"
    path.write_text(text, encoding="utf-8")
    po = read_po(path)
    message = po.catalog.get("New")
    assert message.previous_id == ["Old text that was long enough to be wrapped over two lines "
                                   "in the file."]
    assert message.user_comments == []
    written = po_bytes(po.catalog, headers=po.headers)
    assert b"# |" not in written and b'#| msgid "Old text' in written
    path.write_bytes(written)
    again = read_po(path)
    assert again.catalog.get("New").previous_id == message.previous_id
    assert po_bytes(again.catalog, headers=again.headers) == written
    assert written.decode().startswith(text[:text.index("#, fuzzy")])


def test_po_bytes_keeps_header_order_and_crlf(tmp_path):
    from leaflets.catalogs.pofile import po_bytes

    path = tmp_path / "fr.po"
    path.write_bytes(b'msgid ""\r\nmsgstr ""\r\n"Language: fr\\n"\r\n"X-Generator: Weblate 5.8\\n"'
                     b'\r\n"Content-Type: text/plain; charset=UTF-8\\n"\r\n\r\n'
                     b'msgid "a"\r\nmsgstr "b"\r\n')
    po = read_po(path)
    data = po_bytes(po.catalog, headers=po.headers, newline=po.newline)
    assert data.startswith(b'msgid ""\r\nmsgstr ""\r\n"Language: fr\\n"\r\n"X-Generator: Weblate')
    assert b"\n" not in data.replace(b"\r\n", b"")


def test_obsolete_entry_with_previous_msgid_is_read(tmp_path):
    path = tmp_path / "fr.po"
    path.write_text('msgid ""\nmsgstr ""\n"Language: fr\\n"\n\n#, fuzzy\n#~| msgid "Old"\n'
                    '#~ msgid "Gone"\n#~ msgstr "Parti"\n', encoding="utf-8")
    po = read_po(path)
    (message,) = po.catalog.obsolete.values()
    assert message.string == "Parti" and message.previous_id == ["Old"]

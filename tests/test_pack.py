"""Print packs: merged in order, each leaflet on a new sheet, blank backs only where needed."""

from __future__ import annotations

import pytest
from conftest import CLINIC_FILE, run_cli
from pypdf import PdfReader, PdfWriter

from leaflets.catalogs.pofile import read_po, write_po_file
from leaflets.errors import LeafletError
from leaflets.clinic.pack import merge

A4, LETTER = (595.28, 841.89), (612, 792)


def fake_pdf(path, pages: int, size=A4):
    writer = PdfWriter()
    for _ in range(pages):
        writer.add_blank_page(width=size[0], height=size[1])
    writer.add_metadata({"/Title": path.stem})
    with open(path, "wb") as handle:
        writer.write(handle)
    return path


def starts(data: bytes, tmp_path) -> dict[str, int]:
    (tmp_path / "pack.pdf").write_bytes(data)
    reader = PdfReader(tmp_path / "pack.pdf")
    return {item.title: reader.get_destination_page_number(item) for item in reader.outline}


def test_duplex_pack_starts_every_leaflet_on_a_front_side(tmp_path):
    docs = [(name, fake_pdf(tmp_path / f"{name}.pdf", pages))
            for name, pages in (("one", 3), ("two", 2), ("three", 1))]
    data, made = merge(docs)
    assert (made.pages, made.blanks, made.documents) == (8, 2, 3)
    assert starts(data, tmp_path) == {"one: one": 0, "two: two": 4, "three: three": 6}


def test_simplex_pack_has_no_blank_pages(tmp_path):
    docs = [(name, fake_pdf(tmp_path / f"{name}.pdf", 3)) for name in ("a", "b")]
    data, made = merge(docs, duplex=False)
    assert (made.pages, made.blanks) == (6, 0)
    assert starts(data, tmp_path) == {"a: a": 0, "b: b": 3}


def test_blank_page_has_the_size_of_the_leaflet_before_it(tmp_path):
    data, _ = merge([("letter", fake_pdf(tmp_path / "l.pdf", 1, LETTER)),
                     ("a4", fake_pdf(tmp_path / "a.pdf", 1, A4))])
    (tmp_path / "pack.pdf").write_bytes(data)
    sizes = [(round(float(p.mediabox.width)), round(float(p.mediabox.height)))
             for p in PdfReader(tmp_path / "pack.pdf").pages]
    assert sizes == [(612, 792), (612, 792), (595, 842), (595, 842)]


def test_nothing_to_pack_is_an_error():
    with pytest.raises(LeafletError, match="nothing to pack"):
        merge([])


def test_pack_command_merges_branded_leaflets(tmp_path):
    proc = run_cli("pack", "--clinic", str(CLINIC_FILE), "--lang", "en", "--lang", "ar",
                   "--out", str(tmp_path))
    assert proc.returncode == 0, proc.stderr
    reader = PdfReader(tmp_path / "pack.pdf")
    singles = [len(PdfReader(tmp_path / lang / "hsg.pdf").pages) for lang in ("en", "ar")]
    assert len(reader.pages) == sum(n + n % 2 for n in singles)
    assert [item.title.split(":")[0] for item in reader.outline] == ["en/hsg.pdf", "ar/hsg.pdf"]
    first_ar = reader.get_destination_page_number(reader.outline[1])
    assert first_ar % 2 == 0  # a front side
    assert "Riverside Fertility Clinic" in reader.pages[0].extract_text()
    assert "01632\u00a0960100" in reader.pages[first_ar].extract_text()  # no-break space
    assert f"{len(reader.pages)} pages" in proc.stdout


def test_no_pack_when_a_leaflet_fails(project_copy, tmp_path):
    path = project_copy.po_path("es", "edition")
    po = read_po(path)
    po.catalog.delete("Contact the clinic")
    write_po_file(path, po.catalog, {k: v for k, v in po.headers.items() if k.startswith("X-")})
    proc = run_cli("pack", "--root", str(project_copy.root), "--clinic", str(CLINIC_FILE),
                   "--lang", "en", "--lang", "es", "--out", str(tmp_path / "out"))
    assert proc.returncode == 1 and "no print pack written" in proc.stderr
    assert "missing: \"Contact the clinic\"" in proc.stderr
    assert not (tmp_path / "out" / "pack.pdf").exists()


def test_pack_name_must_be_a_pdf_file_name(tmp_path):
    proc = run_cli("pack", "--name", "../escape.pdf", "--lang", "en", "--out", str(tmp_path))
    assert proc.returncode == 2 and "give a file name ending in .pdf" in proc.stderr
    assert not any(tmp_path.iterdir()) and not (tmp_path.parent / "escape.pdf").exists()

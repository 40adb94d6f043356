"""The HSG leaflet 1.1 read back from its PDFs: every topic of the brief, clear print, numbers."""

from __future__ import annotations

import re
import subprocess
import tomllib
from collections import Counter

import pytest
from conftest import normalize, pdftotext
from pypdf import PdfReader

from leaflets.building.build import BuildOptions, build
from leaflets.catalogs.checkers import numbers
from leaflets.catalogs.extract import leaflet_domains
from leaflets.catalogs.pofile import read_po
from leaflets.clinic.profile import load_clinic

MM = 72 / 25.4
TOP, BOTTOM = 15 * MM, 18 * MM  # the page margins of templates/leaflet.css


@pytest.fixture(scope="module")
def english(built):
    out, _ = built
    return normalize(pdftotext(out / "en" / "hsg.pdf"))


@pytest.mark.parametrize("topic, phrases", [
    ("timing problems", ["Phone the clinic before you come if:", "still bleeding or spotting",
                         "period is late, or your pregnancy test is positive",
                         "periods are not regular", "starts at a weekend. Phone on the Monday",
                         "Follow what your clinic tells you", "infection in your vagina"]),
    ("who does it", ["A radiologist (an X-ray doctor), a radiographer or a specialist nurse",
                     "bring someone with you", "ask the team to stop at any time"]),
    ("allergy", ['An "iodine allergy" or a shellfish allergy is not a reason',
                 "the team will plan with you"]),
    ("results", ["Ask the team how and when you will get your results"]),
    ("other tests", ["(HyCoSy)", "(laparoscopy and dye)"]),
    ("miscarriage figure", ["about 1 in 8 pregnancies", "This is the NHS figure",
                            "NHS.uk, Miscarriage"]),
    ("radiation reassurance", ["far below the doses linked to harm in pregnancy"]),
    ("thyroid", ["it can change how your thyroid works"]),
    ("painkillers", ["if you can usually take them"]),
    ("formats line", ["You can ask for this leaflet in large print"]),
    ("feedback", ["To tell us what you think of this leaflet"]),
    ("approver", ["Medical content: not yet approved by a named clinician."]),
    ("version and en-GB date", ["Leaflet HSG-01, version 1.1", "Published: 2 December 2026"]),
    ("write-in box", ["Write your clinic's phone numbers here:", "Clinic:", "Out of hours:"]),
])
def test_each_topic_is_printed(english, topic, phrases):
    for phrase in phrases:
        assert phrase in english, f"{topic}: {phrase!r} not in the English PDF"


def test_the_approver_comes_from_the_leaflet_metadata(project_copy, renderer, tmp_path):
    # no stand-in name: until a clinician's name is entered, the sheet says so
    toml = project_copy.templates / "hsg.toml"
    assert "approver_name" not in tomllib.loads(toml.read_text(encoding="utf-8"))
    toml.write_text(toml.read_text(encoding="utf-8").replace(
        'approver_role = "Consultant radiologist"',
        'approver_role = "Consultant radiologist"\napprover_name = "Dr A. Example"'),
        encoding="utf-8")
    leaflet = project_copy.leaflets()[0]
    assert leaflet.version == "1.1" and str(leaflet.published) == "2026-12-02"
    assert build(project_copy, BuildOptions(langs=("en",), out=tmp_path), renderer).ok
    english = normalize(pdftotext(tmp_path / "en" / "hsg.pdf"))
    assert "Medical content approved by: Dr A. Example, Consultant radiologist" in english
    assert "not yet approved" not in english


def test_the_emergency_number_is_printed_with_breathing_trouble(english):
    call = english.index("Call 999 now")
    assert 0 <= english.index("difficulty breathing", call) - call < 40
    assert "Do not wait to phone the clinic" in english[call:call + 300]
    # the other urgent signs stay with the clinic and its out-of-hours line
    same_day = english.index("Contact the clinic or your doctor the same day")
    assert english.index("an itchy rash", same_day) < english.index("out-of-hours line")


def test_a_clinic_sets_its_own_emergency_number_and_fills_the_phone_box(
        project, tmp_path, renderer, clinic_built):
    profile = tmp_path / "eu.toml"
    profile.write_text('name = "EU Clinic"\nmain_phone = "+49 30 1234567"\n'
                       'emergency_phone = "112"\n', encoding="utf-8")
    clinic = load_clinic(profile, project)
    result = build(project, BuildOptions(langs=("en",), out=tmp_path / "out", clinic=clinic),
                   renderer)
    assert result.ok, [str(p) for o in result.failed for p in o.problems]
    text = normalize(pdftotext(tmp_path / "out" / "en" / "hsg.pdf"))
    assert "Call 112 now" in text and "Call 999" not in text
    branded = normalize(pdftotext(clinic_built[0] / "en" / "hsg.pdf"))
    assert "Out of hours or urgent: 01632 960999" in branded
    assert "Write your clinic's phone numbers here" not in branded


def font_sizes(path) -> Counter:
    """Characters drawn per font size (points), read back with pypdf."""
    sizes: Counter = Counter()

    def visit(text, cm, tm, _font, size):
        if text.strip():
            scale = (tm[0] ** 2 + tm[1] ** 2) ** 0.5 * (cm[0] ** 2 + cm[1] ** 2) ** 0.5
            sizes[round(size * scale, 1)] += len(text.strip())

    for page in PdfReader(path).pages:
        page.extract_text(visitor_text=visit)
    return sizes


def test_clear_print_sizes_in_every_language(built):
    out, result = built
    for entry in result.written:
        sizes = font_sizes(out / entry.path)
        body, _ = sizes.most_common(1)[0]
        assert body >= 12, f"{entry.path}: body text {body} pt"
        assert min(sizes) >= 9, f"{entry.path}: text at {min(sizes)} pt"


def page_fill(path) -> list[float]:
    """How far down each page its text reaches, as a share of the text area (poppler -bbox)."""
    xml = subprocess.run(["pdftotext", "-bbox", str(path), "-"], capture_output=True, text=True,
                         check=True).stdout
    fills = []
    for height, body in re.findall(r'<page width="[\d.]+" height="([\d.]+)">(.*?)</page>',
                                   xml, re.S):
        limit = float(height) - BOTTOM
        bottoms = [float(y) for y in re.findall(r'yMax="([\d.]+)"', body) if float(y) < limit]
        fills.append((max(bottoms) - TOP) / (limit - TOP))
    return fills


def test_no_page_but_the_last_is_less_than_70_percent_full(built):
    out, result = built
    for entry in result.written:
        fills = page_fill(out / entry.path)
        assert len(fills) == entry.pages > 1
        assert all(fill >= 0.7 for fill in fills[:-1]), f"{entry.path}: {fills}"


def test_lines_are_about_60_to_75_characters(built):
    out, _ = built
    text = pdftotext(out / "en" / "hsg.pdf")
    body = text[:text.index("About this leaflet")]  # the 9 pt governance and sources run longer
    lines = [line.strip() for line in body.splitlines() if not line.startswith("Version 1.1")]
    long_lines = sorted((len(line) for line in lines if len(line) > 40), reverse=True)
    assert long_lines[0] <= 80  # a line of narrow letters may run a little over
    median = long_lines[len(long_lines) // 2]
    assert 55 <= median <= 75, median


def test_the_ukrainian_footer_has_one_full_stop(built):
    out, _ = built
    text = pdftotext(out / "uk" / "hsg.pdf")
    assert "грудень 2029 р." in text and "р.." not in text


def test_every_translation_carries_the_numbers_of_the_english(project):
    leaflet = project.leaflets()[0]
    checked = 0
    for lang in project.languages()[1:]:
        for domain in leaflet_domains(leaflet):
            po = read_po(project.po_path(lang, domain))
            for message in po.catalog:
                if message.id and message.string and not message.fuzzy:
                    assert numbers(message.string) == numbers(message.id), (
                        f"{po.path}:{message.lineno}: {message.string!r}")
                    checked += bool(numbers(message.id))
    assert checked == 7 * 11  # the 11 messages with numbers, in all seven languages

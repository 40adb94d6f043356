"""Clinic profiles: the example loads, and every bad field gives one located error naming it."""

from __future__ import annotations

import shutil

import pytest
from conftest import CLINIC_FILE, run_cli

from leaflets.clinic.profile import load_clinic
from leaflets.errors import LeafletError, UsageError


def test_example_profile_loads(clinic):
    assert clinic.name == "Riverside Fertility Clinic"
    assert clinic.main_phone == "01632 960100"
    assert clinic.logo.name == "riverside-logo.svg" and clinic.logo.is_file()
    assert clinic.paper == "a4" and "ar" in clinic.languages
    assert clinic.online_copy("zh_Hans/hsg.pdf") == (
        "https://www.riverside-fertility.example.org/leaflets/zh_Hans/hsg.pdf")


def test_online_copy_defaults_to_the_website(tmp_path, project):
    profile = tmp_path / "c.toml"
    profile.write_text('name = "X"\nmain_phone = "01632 960100"\n'
                       'website = "https://clinic.example.org"\n', encoding="utf-8")
    clinic = load_clinic(profile, project)
    assert clinic.online_copy("es/hsg.pdf") == "https://clinic.example.org/leaflets/es/hsg.pdf"
    assert clinic.logo is None and clinic.languages == ()
    profile.write_text('name = "X"\nmain_phone = "01632 960100"\n', encoding="utf-8")
    assert load_clinic(profile, project).online_copy("es/hsg.pdf") is None


def profile_with(tmp_path, field: str, value: str | None) -> tuple:
    """A copy of the example profile (and its logo) with ``field`` set to ``value``, or removed."""
    shutil.copy(CLINIC_FILE.parent / "riverside-logo.svg", tmp_path)
    lines = CLINIC_FILE.read_text(encoding="utf-8").splitlines()
    index = next((i for i, line in enumerate(lines) if line.startswith(f"{field} =")), None)
    if index is None:
        lines.append(f"{field} = {value}")
        index = len(lines) - 1
    elif value is None:
        del lines[index]
    else:
        lines[index] = f"{field} = {value}"
    path = tmp_path / "clinic.toml"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path, index + 1


BAD_FIELDS = [
    ("logo", '"missing.svg"', "not found"),
    ("logo", '"../outside.svg"', "outside the profile's folder"),
    ("logo", '"clinic.toml"', "must be an SVG or PNG"),
    ("logo", '"fake.png"', "not a valid PNG"),
    ("logo", '"broken.svg"', "not a valid SVG file: the XML is broken (unclosed token"),
    ("main_phone", '"01632 96O100"', "not a phone number"),
    ("main_phone", '"12"', "not a phone number"),
    ("urgent_phone", '"call us"', "not a phone number"),
    ("interpreter_phone", "1632960123", "must be"),
    ("paper", '"a5"', "unknown paper size 'a5'"),
    ("languages", '["en", "xx"]', "unknown language 'xx'"),
    ("languages", '["en", "no such"]', "not a language code"),
    ("website", '"ftp://clinic.example.org"', "not a web address"),
    ("website", '"https://example.org/<script>"', "not a web address"),
    ("accent_colour", '"red"', "not a colour"),
    ("accent_colour", '"#ffff00"', "too light"),
    ("address", '"12 Mill Lane"', "must be a list"),
    ("name", '"Evil\u202eClinic"', "control character U+202E"),
    ("colour", '"#1d6b57"', "unknown field"),
]


@pytest.mark.parametrize("field,value,expected", BAD_FIELDS)
def test_each_bad_field_is_one_located_error(tmp_path, project, field, value, expected):
    path, line = profile_with(tmp_path, field, value)
    (tmp_path / "fake.png").write_bytes(b"GIF89a not a png")
    (tmp_path / "broken.svg").write_bytes(b'<svg xmlns="http://www.w3.org/2000/svg"><rect')
    with pytest.raises(LeafletError) as caught:
        load_clinic(path, project)
    problems = caught.value.problems
    assert len(problems) == 1, problems
    assert problems[0].path == str(path) and problems[0].lineno == line
    assert f"field {field!r}" in problems[0].message and expected in problems[0].message


def test_missing_required_field(tmp_path, project):
    path, _ = profile_with(tmp_path, "main_phone", None)
    with pytest.raises(LeafletError, match="field 'main_phone' is missing"):
        load_clinic(path, project)


def test_several_bad_fields_give_one_line_each(tmp_path, project):
    path, _ = profile_with(tmp_path, "paper", '"a5"')
    text = path.read_text(encoding="utf-8").replace('main_phone = "01632 960100"',
                                                    'main_phone = "none"')
    path.write_text(text, encoding="utf-8")
    with pytest.raises(LeafletError) as caught:
        load_clinic(path, project)
    assert sorted(p.message.split(":")[0] for p in caught.value.problems) == [
        "field 'main_phone'", "field 'paper'"]


def test_invalid_toml_names_the_line(tmp_path, project):
    path = tmp_path / "clinic.toml"
    path.write_text('name = "X"\nmain_phone = "01632 960100\n', encoding="utf-8")
    with pytest.raises(LeafletError) as caught:
        load_clinic(path, project)
    assert caught.value.lineno == 2 and "invalid TOML" in caught.value.message


def test_missing_profile_is_a_usage_error(tmp_path, project):
    with pytest.raises(UsageError, match="no clinic profile"):
        load_clinic(tmp_path / "nope.toml", project)


def test_cli_prints_one_line_per_bad_field_and_builds_nothing(tmp_path):
    path, line = profile_with(tmp_path, "main_phone", '"01632 96O100"')
    out = tmp_path / "out"
    proc = run_cli("build", "--clinic", str(path), "--lang", "es", "--out", str(out))
    assert proc.returncode == 1 and "Traceback" not in proc.stderr
    assert proc.stderr.splitlines() == [
        f"{path}:{line}: field 'main_phone': '01632 96O100' is not a phone number: use 7 to 15 "
        "digits with spaces, +, ( ) or - only, e.g. \"01632 960100\" or \"+44 1632 960100\""]
    assert not out.exists()


def test_cli_refuses_a_language_the_clinic_does_not_offer(tmp_path):
    path, _ = profile_with(tmp_path, "languages", '["en", "es"]')
    proc = run_cli("build", "--clinic", str(path), "--lang", "pl", "--out", str(tmp_path / "o"))
    assert proc.returncode == 2 and "the clinic does not offer 'pl'" in proc.stderr


def test_emergency_phone_is_checked_like_the_other_numbers(tmp_path, project):
    from leaflets.errors import ProblemsError

    profile = tmp_path / "c.toml"
    profile.write_text('name = "X"\nmain_phone = "01632 960100"\nemergency_phone = "112"\n',
                       encoding="utf-8")
    assert load_clinic(profile, project).emergency_phone == "112"
    profile.write_text('name = "X"\nmain_phone = "01632 960100"\nemergency_phone = "1l2"\n',
                       encoding="utf-8")
    with pytest.raises(ProblemsError) as caught:
        load_clinic(profile, project)
    assert str(caught.value).startswith(f"{project.rel(profile)}:3: field 'emergency_phone'")

"""update and init: real editors' files merged with the templates, nothing ever lost."""

from __future__ import annotations

import hashlib
import shutil
import subprocess

import pytest
from babel.messages.plurals import get_plural
from conftest import FIXTURES, run_cli

from leaflets.catalogs.pofile import read_po
from leaflets.errors import CatalogError, UsageError
from leaflets.catalogs.update import init, update


def strings(po) -> set[str]:
    """Every non-empty translation in a catalog, active or obsolete."""
    found = set()
    for message in [*po.catalog, *po.catalog.obsolete.values()]:
        if message.id:
            forms = message.string if isinstance(message.string, tuple) else (message.string,)
            found.update(s for s in forms if s)
    return found


def comments(po) -> set[str]:
    return {c for m in [*po.catalog, *po.catalog.obsolete.values()] for c in m.user_comments}


def msgfmt_ok(path) -> None:
    proc = subprocess.run(["msgfmt", "--check-format", "--check-header", "-o", "/dev/null",
                           str(path)], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr


def snapshot(root):
    return {p: hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(root.rglob("*")) if p.is_file()}


@pytest.fixture
def poedit(project_copy):
    """The French common catalog as Poedit saved it: BOM, CRLF, its own header fields."""
    path = project_copy.po_path("fr", "common")
    shutil.copy(FIXTURES / "poedit_fr_common.po", path)
    return path


@pytest.fixture
def weblate(project_copy):
    """The Polish common catalog as Weblate wrote it: previous msgid, obsolete, plural, msgctxt."""
    path = project_copy.po_path("pl", "common")
    shutil.copy(FIXTURES / "weblate_pl_common.po", path)
    return path


def test_poedit_file_keeps_every_translation_comment_and_header(project_copy, poedit):
    before = read_po(poedit)
    update(project_copy, ["fr"])
    after = read_po(poedit)
    assert strings(before) <= strings(after)
    assert comments(before) <= comments(after)
    assert list(after.headers.items()) == list(before.headers.items())  # order too
    assert after.headers["X-Generator"] == "Poedit 3.4.2"
    data = poedit.read_bytes()
    assert not data.startswith(b"\xef\xbb\xbf")  # msgfmt cannot read a BOM
    assert data.count(b"\r\n") == data.count(b"\n")  # still CRLF, so git shows no noise
    assert data.startswith(b"# French translation of the leaflets common catalog.\r\n")
    msgfmt_ok(poedit)


def test_changed_source_becomes_fuzzy_with_previous_msgid(project_copy, poedit):
    update(project_copy, ["fr"])
    po = read_po(poedit)
    message = po.catalog.get("This translation has not yet been checked by a qualified medical "
                             "translator. If anything is unclear, ask the clinic team.")
    assert message.fuzzy and message.string.startswith("Cette traduction")
    assert message.previous_id == ["This translation has not yet been checked by a qualified "
                                   "translator. If anything is unclear, ask the clinic team."]
    assert "Formulation validée par Marie." in message.user_comments
    text = poedit.read_bytes().decode("utf-8")
    assert '#| msgid ""\r\n#| "This translation has not yet been checked by a qualified' in text


def test_removed_source_is_kept_as_obsolete(project_copy, poedit):
    update(project_copy, ["fr"])
    po = read_po(poedit)
    assert po.catalog.get("This leaflet has been withdrawn; ask for the new one.") is None
    obsolete = {m.id: m.string for m in po.catalog.obsolete.values()}
    assert obsolete["This leaflet has been withdrawn; ask for the new one."] == \
        "Cette brochure a été retirée ; demandez la nouvelle."
    assert "#~ msgid \"This leaflet has been withdrawn" in poedit.read_text(encoding="utf-8")


def test_weblate_file_keeps_previous_plural_context_and_obsolete(project_copy, weblate):
    before = read_po(weblate)
    results = update(project_copy, ["pl"])
    after = read_po(weblate)
    assert strings(before) <= strings(after)
    assert after.headers["X-Generator"] == "Weblate 5.8.1"
    page = after.catalog.get("Page %(page)s of %(pages)s")
    # already fuzzy: Babel would drop the "#| msgid" Weblate wrote
    assert page.fuzzy and page.previous_id == ["Page %(page)s"]
    obsolete = {(m.context, m.id if isinstance(m.id, str) else m.id[0]): m.string
                for m in after.catalog.obsolete.values()}
    assert obsolete[(None, "%(count)s page")] == ("%(count)s strona", "%(count)s strony",
                                                  "%(count)s stron")
    assert obsolete[("month", "May")] == "Maj" and obsolete[("verb", "May")] == "Może"
    # an obsolete entry whose source is back in the templates is restored, fuzzy
    restored = after.catalog.get("Incomplete translation.")
    assert restored.string == "Niepełne tłumaczenie." and restored.fuzzy
    assert [r.restored for r in results if r.changed] == [["Incomplete translation."]]
    msgfmt_ok(weblate)


def test_update_is_idempotent_and_check_tells_stale(project_copy, poedit, weblate):
    root = str(project_copy.root)
    assert run_cli("update", "--check", "--root", root).returncode == 1
    assert read_po(poedit).catalog.get("Incomplete translation.").string  # --check wrote nothing
    proc = run_cli("update", "--root", root)
    assert proc.returncode == 0, proc.stderr
    assert "locales/fr/LC_MESSAGES/common.po: 1 new, 1 fuzzy, 2 obsolete" in proc.stdout
    first = snapshot(project_copy.locales)
    proc = run_cli("update", "--check", "--root", root)
    assert proc.returncode == 0, proc.stderr
    run_cli("update", "--root", root)
    assert snapshot(project_copy.locales) == first


def test_file_rewrapped_by_another_editor_is_left_alone(project_copy):
    path = project_copy.po_path("es", "hsg")
    # msgcat wraps at 79 columns like Poedit; nothing in the content changes
    subprocess.run(["msgcat", "-w", "79", "-o", str(path), str(path)], check=True)
    rewrapped = path.read_bytes()
    updates = update(project_copy, ["es"])
    assert path.read_bytes() == rewrapped
    assert not any(u.changed for u in updates)


def test_every_repository_catalog_is_up_to_date_and_passes_msgfmt(project):
    assert not [u.shown_as for u in update(project, check=True) if u.changed]
    for path in sorted(project.locales.glob("*/LC_MESSAGES/*.po")):
        msgfmt_ok(path)


def test_babel_plural_drop_is_kept_as_obsolete(project_copy):
    path = project_copy.po_path("pl", "common")
    text = path.read_text(encoding="utf-8")
    # a plural entry whose source became the singular "Draft translation."
    text = text.replace('msgid "Draft translation."\nmsgstr "', 'msgid "Draft translation."\n'
                        'msgid_plural "Draft translations."\nmsgstr[0] "A1"\nmsgstr[1] "A2"\n'
                        'msgstr[2] "A3"\n#msgstr "', 1)
    path.write_text(text, encoding="utf-8")
    update(project_copy, ["pl"])
    assert {"A1", "A2", "A3"} <= strings(read_po(path))


@pytest.mark.parametrize("content, lineno", [
    ('msgid "Draft translation."\nmsgstr "unterminated\n', 2),
    ('msgid "Draft translation."\nmsgstr "bad \\q escape"\n', 2),
    ('msgid "Draft translation."\nmsgstr "a"\n\nmsgid "Draft translation."\nmsgstr "b"\n', 4),
    ('msgid "x"\nmsgid_plural "xs"\nmsgstr[0] "a"\n', 1),
    ("\x00\x01garbage", 1),
])
def test_malformed_catalog_stops_update_and_changes_nothing(project_copy, content, lineno):
    path = project_copy.po_path("fr", "common")
    header = ('msgid ""\nmsgstr ""\n"Content-Type: text/plain; charset=UTF-8\\n"\n'
              '"Plural-Forms: nplurals=2; plural=(n > 1);\\n"\n\n')
    path.write_text(header + content, encoding="utf-8")
    shift = header.count("\n")
    before = snapshot(project_copy.root)
    proc = run_cli("update", "--root", str(project_copy.root))
    assert proc.returncode == 1 and "Traceback" not in proc.stderr
    assert len(proc.stderr.splitlines()) == 1
    assert proc.stderr.startswith(f"locales/fr/LC_MESSAGES/common.po:{lineno + shift}: ")
    assert snapshot(project_copy.root) == before


def test_wrong_charset_is_refused(project_copy):
    path = project_copy.po_path("fr", "common")
    path.write_bytes(path.read_bytes().replace(b"charset=utf-8", b"charset=ISO-8859-1"))
    with pytest.raises(CatalogError, match="charset ISO-8859-1"):
        update(project_copy, ["fr"])


def test_init_starts_a_language_with_cldr_plural_forms(project_copy):
    proc = run_cli("init", "cs", "--root", str(project_copy.root))
    assert proc.returncode == 0, proc.stderr
    po = read_po(project_copy.po_path("cs", "hsg"))
    assert po.catalog.num_plurals == get_plural("cs").num_plurals == 3  # Babel's gettext rules
    assert po.headers["Plural-Forms"] == get_plural("cs").plural_forms
    assert po.headers["Language"] == "cs" and po.reviewer is None
    assert all(not m.string for m in po.catalog if m.id)
    msgfmt_ok(project_copy.po_path("cs", "common"))
    assert "cs" in project_copy.languages()
    assert not [u for u in update(project_copy, ["cs"], check=True) if u.changed]


@pytest.mark.parametrize("code, message", [
    ("xx", "unknown language"), ("fr", "already exists"), ("en", "source language"),
    ("en_XA", "pseudo-locale"),
])
def test_init_refuses(project_copy, code, message):
    with pytest.raises(UsageError, match=message):
        init(project_copy, code)


def test_update_starts_catalogs_for_a_new_leaflet(project_copy):
    for suffix in ("html", "toml"):
        source = (project_copy.templates / f"hsg.{suffix}").read_text(encoding="utf-8")
        (project_copy.templates / f"ivf.{suffix}").write_text(
            source.replace('id = "hsg"', 'id = "ivf"'), encoding="utf-8")
    proc = run_cli("update", "--root", str(project_copy.root))
    assert proc.returncode == 0, proc.stderr
    assert project_copy.pot_path("ivf").is_file()
    for lang in ("ar", "zh_Hans"):
        po = read_po(project_copy.po_path(lang, "ivf"))
        assert po.headers["Language"] == lang and po.reviewer is None
        assert po.catalog.num_plurals == get_plural(lang).num_plurals
        msgfmt_ok(project_copy.po_path(lang, "ivf"))


def test_update_diff_shows_only_real_changes(project_copy, poedit, weblate):
    update(project_copy, ["fr", "pl"])
    fr = poedit.read_bytes().decode("utf-8")
    # an entry that did not change keeps Poedit's own wrapping (one 80-column line)
    assert ('\r\nmsgstr ""\r\n"Version %(version)s, publiée le %(published)s. Prochaine '
            'révision : %(review)s."\r\n') in fr
    pl = weblate.read_text(encoding="utf-8")
    # Weblate's header is kept line for line although Babel would wrap it
    assert ('"Language-Team: Polish <https://weblate.example.org/projects/leaflets/common/pl/>'
            '\\n"\n') in pl
    original = (FIXTURES / "weblate_pl_common.po").read_text(encoding="utf-8")
    assert pl.startswith(original[:original.index("#. Page number")])

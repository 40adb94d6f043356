"""PDF/UA tagging fixes for WeasyPrint 70.0: margin boxes as artifacts, language changes.

WeasyPrint 70 tags the text of page margin boxes (our footer: version, dates,
page numbers) as ``/Span`` marked content whose structure elements are left out
of the structure tree (upstream issue #1836), so a screen reader never reaches
it, yet PDF/UA-1 wants all content either in the tree or marked as an artifact.
Here that text is drawn inside ``/Artifact`` marked content (type Pagination,
subtype Header or Footer), and the structure tree is built without margin
boxes. Only marked-content operators change: pages render identically.

WeasyPrint 70 also drops the ``lang`` attribute of elements inside the page
(the English sources list, the English half of a bilingual leaflet), so a
screen reader would read English with the leaflet language's voice; PDF/UA-1
(7.2) wants each change of language marked. Structure elements of HTML
elements with a ``lang`` get it as ``/Lang``.

Same pinning as leaflets/render/textlayer.py: the WeasyPrint version and the code
relied on are checked before patching; drop this module once WeasyPrint
marks margin boxes as artifacts itself.
"""

from contextlib import contextmanager
from contextvars import ContextVar

import pydyf

from .textlayer import EXPECTED_VERSION, check_functions

_margin_boxes: ContextVar[dict] = ContextVar('margin_boxes', default={})
_installed = False


def _targets():
    """Return (owner, attribute, parameters, statements relied on) to check."""
    from weasyprint import document, pdf
    from weasyprint.pdf import stream, tags
    return (
        (document, 'draw_page', ('page', 'stream'), ('stacking_context',)),
        (stream.Stream, 'marked', ('self', 'box', 'tag'), (
            'self._tags[box] = {', 'super().begin_marked_content(tag, property_list)')),
        (pdf, 'add_tags', ('pdf', 'document', 'pdf_version', 'page_streams'), (
            'page_box = page._page_box', 'elements = _build_box_tree(')),
        # add_tags walks the page box's children, margin boxes included; it recurses
        # through the module's name, so each element passes through the wrapper.
        (tags, '_build_box_tree', (
            'box', 'parent', 'pdf', 'page_number', 'nums', 'annotations', 'tags'), (
            'elif isinstance(box, boxes.MarginBox):', 'for child in box.children:',
            'child_elements = _build_box_tree(', 'yield element')),
    )


def check_compatible():
    """Raise RuntimeError unless WeasyPrint has the version and code patched here."""
    check_functions('leaflets.tagging', _targets(), EXPECTED_VERSION, '#1836')


def install():
    """Patch WeasyPrint so page margin boxes are artifacts in tagged PDFs. Idempotent."""
    global _installed
    if _installed:
        return
    check_compatible()
    wrappers = (_draw_page, _marked, _add_tags, _build_box_tree)
    for (owner, attribute, *_), wrapper in zip(_targets(), wrappers):
        wrapper.__wrapped__ = getattr(owner, attribute)
        setattr(owner, attribute, wrapper)
    _installed = True


def _draw_page(page, stream):
    """Draw a page, knowing which boxes belong to its header and footer."""
    from weasyprint.formatting_structure import boxes
    margin = {}
    for child in page.children:
        if isinstance(child, boxes.MarginBox):
            kind = ('/Header' if child.at_keyword.startswith('@top') else
                    '/Footer' if child.at_keyword.startswith('@bottom') else None)
            for box in child.descendants():
                margin[box] = kind
    token = _margin_boxes.set(margin)
    try:
        return _draw_page.__wrapped__(page, stream)
    finally:
        _margin_boxes.reset(token)


@contextmanager
def _marked(self, box, tag):
    """Mark ``box`` as tagged content, or as a pagination artifact in a margin box."""
    margin = _margin_boxes.get()
    if self._tags is None or box not in margin:
        with _marked.__wrapped__(self, box, tag):
            yield
        return
    properties = pydyf.Dictionary({'Type': '/Pagination'})
    if margin[box]:
        properties['Subtype'] = margin[box]
    self.begin_marked_content('Artifact', properties)
    try:
        yield
    finally:
        self.end_marked_content()


def _add_tags(pdf, document, pdf_version, page_streams):
    """Build the structure tree without margin boxes: their content is an artifact."""
    from weasyprint.formatting_structure import boxes
    hidden = []
    for page in document.pages:
        box = page._page_box
        hidden.append((box, box.children))
        box.children = [
            child for child in box.children if not isinstance(child, boxes.MarginBox)]
    try:
        return _add_tags.__wrapped__(pdf, document, pdf_version, page_streams)
    finally:
        for box, children in hidden:
            box.children = children


def _build_box_tree(box, parent, pdf, page_number, nums, annotations, tags):
    """Build WeasyPrint's structure elements for ``box``, with /Lang where HTML has lang."""
    lang = None
    if box.element is not None and box.element_tag != 'html':
        lang = box.element.get('lang')
    for element in _build_box_tree.__wrapped__(
            box, parent, pdf, page_number, nums, annotations, tags):
        if lang and 'Lang' not in element:
            element['Lang'] = pydyf.String(lang)
        yield element

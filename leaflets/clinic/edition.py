"""The print edition of one job: clinic details, QR code, governance facts and variant for a page."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from ..catalogs.pofile import REVIEW_DATE_HEADER, PoFile
from .profile import Clinic, qr_data_uri
from ..errors import CatalogError


@dataclass(frozen=True)
class TranslationStatus:
    """Who signed a translation off and when; ``source`` for the English original."""

    source: bool = False
    reviewers: tuple[str, ...] = ()
    date: dt.date | None = None  # the latest sign-off, when every catalog has one

    @property
    def reviewed(self) -> bool:
        return self.source or bool(self.reviewers)


def translation_status(lang: str, pos: list[PoFile], source: str | None = None
                       ) -> TranslationStatus:
    """The sign-off of a job's catalogs: reviewed only when every catalog names a reviewer."""
    if lang == source:
        return TranslationStatus(source=True)
    if not pos or not all(po.reviewer for po in pos):
        return TranslationStatus()
    dates = [review_date(po) for po in pos]
    return TranslationStatus(reviewers=tuple(sorted({po.reviewer for po in pos})),
                             date=max(dates) if all(dates) else None)


def review_date(po: PoFile) -> dt.date | None:
    """The catalog's X-Medical-Review-Date as a date; a value that is not one is an error."""
    if not po.review_date:
        return None
    try:
        return dt.date.fromisoformat(po.review_date)
    except ValueError:
        raise CatalogError(f"header {REVIEW_DATE_HEADER}: {po.review_date!r} is not a date; "
                           "write it as YYYY-MM-DD", po.path) from None


def edition_fields(pdf_path: str, lang: str, pos: list[PoFile], clinic: Clinic | None,
                   variant: str, today: dt.date, source: str) -> dict:
    """The PageOptions fields the print edition adds for one job."""
    url = clinic.online_copy(pdf_path) if clinic else None
    return {
        "variant": variant,
        "clinic": clinic,
        "online_url": url,
        "qr": qr_data_uri(url) if url else None,
        "today": today,
        "translation": translation_status(lang, pos, source),
    }

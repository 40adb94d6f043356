"""Rebuild docs/frontdesk.png: build everything into a temporary folder, open its index.html
from file:// in Debian's chromium (driven by Playwright) and take a full-page screenshot.

    python3 docs/frontdesk_screenshot.py
"""

from __future__ import annotations

import io
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from PIL import Image  # noqa: E402
from playwright.sync_api import sync_playwright  # noqa: E402

from leaflets.build import BuildOptions, build  # noqa: E402
from leaflets.project import Project  # noqa: E402

# the same browser and flags as tests/test_frontdesk.py; never 'playwright install'
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]


def main() -> int:
    with tempfile.TemporaryDirectory() as tmp:
        result = build(Project(ROOT), BuildOptions(out=Path(tmp)))
        if not result.ok:
            print("the build failed; run generate.py to see why", file=sys.stderr)
            return 1
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            page = browser.new_page(viewport={"width": 1100, "height": 800})
            page.goto((Path(tmp) / "index.html").as_uri())
            png = page.screenshot(full_page=True)
            browser.close()
    # a palette keeps the picture in the repository small; text stays sharp
    image = Image.open(io.BytesIO(png)).convert("RGB").quantize(
        colors=128, method=Image.Quantize.MEDIANCUT, dither=Image.Dither.NONE)
    image.save(ROOT / "docs" / "frontdesk.png", optimize=True)
    print(ROOT / "docs" / "frontdesk.png")
    return 0


if __name__ == "__main__":
    sys.exit(main())

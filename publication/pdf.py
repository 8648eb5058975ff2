"""Printable PDF from a rendered HTML page, with an embedded CJK font, via WeasyPrint.

WeasyPrint needs Pango from Debian (libpango-1.0-0, libpangoft2-1.0-0) and a CJK
font installed for fontconfig: fonts-noto-cjk (Noto Sans CJK SC) or
fonts-wqy-microhei. The PDF is deterministic: WeasyPrint 70 writes no creation
date unless the HTML requests one, and the document identifier is derived from the
content hash, so the same HTML gives the same bytes.
"""

from __future__ import annotations

import hashlib
import logging
from concurrent.futures import ProcessPoolExecutor
from functools import cache
from multiprocessing import get_context
from pathlib import Path

logger = logging.getLogger(__name__)

PRINT_CSS = Path(__file__).with_name("templates") / "assets" / "print.css"
CJK_FONT_NAMES = (b"Noto-Sans-CJK", b"Noto-Serif-CJK", b"WenQuanYi")
# Placeholder for a PDF that `PdfCache.resolve` renders later. The PDF's cache key
# follows it.
PENDING = b"%heateval pending PDF "


class PdfError(RuntimeError):
    """The PDF could not be written as required (no CJK font, missing glyphs)."""


def _reject_fetch(url: str, *args: object, **kwargs: object) -> dict:
    # Published pages reference nothing outside themselves; a URL in hostile text
    # must never make the renderer open a file or a connection.
    raise ValueError(f"fetching {url!r} is not allowed while rendering a PDF")


@cache
def _stylesheet():
    from weasyprint import CSS

    return CSS(string=PRINT_CSS.read_text(encoding="utf-8"))


def html_to_pdf(html: str, identifier: str) -> bytes:
    """Render `html` to PDF bytes; `identifier` (any text) fixes the PDF's /ID.

    Raises PdfError when no CJK font was embedded, because such a PDF would show
    empty boxes in place of Chinese text. A character no font has (an emoji in an
    enterprise's name, say) is only logged: hostile text must not stop publication.
    """
    from weasyprint import HTML

    document = HTML(string=html, url_fetcher=_reject_fetch).render(
        stylesheets=[_stylesheet()]
    )
    pdf = document.write_pdf(
        pdf_identifier=hashlib.md5(identifier.encode("utf-8")).hexdigest().encode(),  # noqa: S324 - an identifier, not security
        uncompressed_pdf=False,
    )
    names = [font.name for font in document.fonts.values()]
    if not any(cjk in name for name in names for cjk in CJK_FONT_NAMES):
        raise PdfError(
            f"no CJK font was embedded (fonts used: {names}); install the Debian "
            "package fonts-noto-cjk or fonts-wqy-microhei"
        )
    missing = sorted({chr(c) for font in document.fonts.values() for c in font.missing})
    if missing:
        logger.warning(
            "PDF %s: no installed font has a glyph for %r", identifier, "".join(missing)
        )
    return pdf


class PdfCache:
    """Reuse the PDFs of an earlier run whose source is unchanged, and render the rest.

    The key of a PDF is the SHA-256 over the WeasyPrint version, the print
    stylesheet, the identifier and the HTML. A file of the earlier run is reused
    only when the manifest gave it the same key and its bytes still have the SHA-256
    the manifest recorded. Installed fonts are not part of the key: after changing
    them, publish with `rebuild` so that every PDF is rendered again.

    With more than one worker, `render` returns a placeholder and `resolve` renders
    every PDF still missing in that many processes side by side, because rendering
    is most of a publish run's time and each PDF is independent of the others.
    """

    def __init__(
        self,
        root: Path,
        previous_files: dict[str, str],
        previous_keys: dict[str, str],
        workers: int = 1,
    ) -> None:
        self.root = root
        self.previous_files = previous_files
        self.path_by_key = {key: path for path, key in sorted(previous_keys.items())}
        self.key_by_digest: dict[str, str] = {}
        self.workers = workers
        self.pending: dict[str, tuple[str, str]] = {}
        self.hits = 0
        self.misses = 0

    @staticmethod
    def key(html: str, identifier: str) -> str:
        """Return the cache key of a PDF source."""
        import weasyprint

        digest = hashlib.sha256()
        for part in (
            weasyprint.__version__,
            PRINT_CSS.read_text("utf-8"),
            identifier,
            html,
        ):
            digest.update(part.encode("utf-8"))
            digest.update(b"\0")
        return digest.hexdigest()

    def render(self, html: str, identifier: str) -> bytes:
        """Return the earlier run's PDF for this source, or render it.

        With more than one worker, a PDF to render comes back as a placeholder
        that `resolve` replaces.
        """
        key = self.key(html, identifier)
        pdf = self._reuse(key)
        if pdf is not None:
            self.hits += 1
        elif self.workers > 1:
            self.pending.setdefault(key, (html, identifier))
            return PENDING + key.encode("ascii")
        else:
            pdf = html_to_pdf(html, identifier)
            self.misses += 1
        self.key_by_digest[hashlib.sha256(pdf).hexdigest()] = key
        return pdf

    def resolve(self, files: dict[str, bytes]) -> dict[str, bytes]:
        """Render the pending PDFs and return `files` with them in place of their
        placeholders."""
        rendered = self._render_pending()
        resolved = {}
        for path, content in files.items():
            if content.startswith(PENDING):
                content = rendered[content.removeprefix(PENDING).decode("ascii")]
            resolved[path] = content
        return resolved

    def _render_pending(self) -> dict[str, bytes]:
        keys = sorted(self.pending)
        if not keys:
            return {}
        sources = [self.pending[key] for key in keys]
        workers = min(self.workers, len(keys))
        logger.info("rendering %d PDFs in %d processes", len(keys), workers)
        if workers == 1:
            pdfs = [_render_source(source) for source in sources]
        else:
            # Spawn rather than fork, because the parent may hold database
            # connections and threads.
            context = get_context("spawn")
            with ProcessPoolExecutor(workers, mp_context=context) as pool:
                pdfs = list(pool.map(_render_source, sources))
        self.pending.clear()
        self.misses += len(keys)
        for key, pdf in zip(keys, pdfs, strict=True):
            self.key_by_digest[hashlib.sha256(pdf).hexdigest()] = key
        return dict(zip(keys, pdfs, strict=True))

    def _reuse(self, key: str) -> bytes | None:
        path = self.path_by_key.get(key)
        if path is None:
            return None
        file = self.root / path
        if not file.is_file():
            return None
        content = file.read_bytes()
        if hashlib.sha256(content).hexdigest() != self.previous_files.get(path):
            return None
        return content


def _render_source(source: tuple[str, str]) -> bytes:
    """Render one (html, identifier) pair, in a worker process or in this one."""
    html, identifier = source
    return html_to_pdf(html, identifier)

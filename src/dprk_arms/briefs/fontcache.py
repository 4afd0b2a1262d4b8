"""WeasyPrint's font subsets kept for the process: a worker's briefs mostly use the same glyphs of the same fonts."""

import functools
import hashlib

MAX_SUBSETS = 64  # a brief embeds four faces; a subset is 20-60 KB
_subsets = {}  # (font file digest, face index, glyph ids, hinting, notdef outline) -> the subset font file


def install() -> bool:
    """Memoise WeasyPrint's Font.subset in this process (once). A subset is a function of the font file, the face,
    the glyph ids, the hinting and whether a missing glyph's outline is kept, so a brief asking for the same ones
    as an earlier brief gets the same bytes without fontTools (0.05-0.3 s a face where, as on this machine, the
    HarfBuzz-subset library is missing). False where WeasyPrint's Font has no such method: it subsets as it does."""
    try:
        from weasyprint.pdf import fonts
        original = fonts.Font.subset
    except (ImportError, AttributeError):
        return False
    if getattr(original, "memoised", False):
        return True

    @functools.wraps(original)
    def subset(self, to_unicode, hinting):
        if not to_unicode:
            return original(self, to_unicode, hinting)
        try:
            key = (hashlib.blake2b(self.file_content, digest_size=16).digest(), self.index,
                   tuple(sorted(to_unicode)), bool(hinting), bool(self.missing))
        except (AttributeError, TypeError):  # another WeasyPrint's Font: subset it as it would
            return original(self, to_unicode, hinting)
        content = _subsets.get(key)
        if content is not None:
            self.file_content = content
            return None
        whole = self.file_content
        result = original(self, to_unicode, hinting)
        if self.file_content is not whole:  # subset: kept (a font that failed to subset stays whole, and uncached)
            while len(_subsets) >= MAX_SUBSETS:
                _subsets.pop(next(iter(_subsets)))
            _subsets[key] = self.file_content
        return result

    subset.memoised = True
    fonts.Font.subset = subset
    return True

"""Two drawing surfaces with one interface, in millimetres on A4 landscape, so the layout in
certificate.yaml is drawn once (render.py) into a vector PDF (fpdf2, the CJK font embedded as a
subset) or a PNG (Pillow). y of text is its baseline."""
from __future__ import annotations

import hashlib
import io
import logging
import math
import os
import tempfile
from functools import lru_cache
from pathlib import Path

from fpdf import FPDF
from PIL import Image, ImageDraw, ImageFont

PAGE_W, PAGE_H = 297.0, 210.0
PT = 25.4 / 72                    # one point in mm
# Debian's fonts-noto-cjk (scripts/bootstrap.sh installs it); CERT_FONT/CERT_FONT_INDEX override.
FONT_CANDIDATES = (("/usr/share/fonts/opentype/noto/NotoSerifCJK-Bold.ttc", 2),
                   ("/usr/share/fonts/opentype/noto/NotoSansCJK-Bold.ttc", 2),
                   ("/usr/share/fonts/opentype/noto/NotoSerifCJK-Regular.ttc", 2))


class FontMissing(RuntimeError):
    pass


BASE_VERSION = 2          # 2: TrueType outlines (was CFF)
# Speed settings (bench/certificates.py measures the previous ones beside them in the same run):
# the base font's outlines, the PNG's palette ("inks": the drawn inks' ramps; "octree": 64
# colours found per image) and its zlib level.
SETTINGS = {"truetype": True, "png_palette": "inks", "png_zlib": 3, "level1": True}
log = logging.getLogger(__name__)


@lru_cache(maxsize=1)
def font_file() -> tuple[str, int]:
    if os.environ.get("CERT_FONT"):
        return os.environ["CERT_FONT"], int(os.environ.get("CERT_FONT_INDEX", "0"))
    for path, index in FONT_CANDIDATES:
        if Path(path).exists():
            return path, index
    raise FontMissing("no CJK font: apt-get install fonts-noto-cjk (scripts/bootstrap.sh does)")


def _common_chars(last_row: int = 0xF7) -> set[int]:
    """ASCII, CJK punctuation and full-width forms, and GB 2312's characters: all 6,763 (rows
    up to 0xF7), or its first level of 3,755 most common ones (rows up to 0xD7)."""
    chars = set(range(0x20, 0x7F)) | set(range(0x3000, 0x3040)) | set(range(0xFF00, 0xFF66))
    chars |= {0x00B7, 0x2014, 0x2018, 0x2019, 0x201C, 0x201D, 0x2026, 0x2022, 0x2236}
    for hi in range(0xB0, last_row + 1):
        for lo in range(0xA1, 0xFF):
            try:
                chars.add(ord(bytes((hi, lo)).decode("gb2312")))
            except UnicodeDecodeError:
                pass
    return chars


def _cache_dir() -> Path:
    explicit = os.environ.get("CERT_FONT_CACHE")
    if explicit:
        return Path(explicit)
    return Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "wuxiao-certificates"


def _to_truetype(font) -> None:
    """CFF outlines to TrueType (quadratic, within one font unit): fontTools subsets and writes
    a glyf font in about half the time of a CFF one (no charstring programs to run), and that
    is most of a PDF certificate's time (README, 基准 / Benchmarks)."""
    from fontTools.pens.cu2quPen import Cu2QuPen
    from fontTools.pens.ttGlyphPen import TTGlyphPen
    from fontTools.ttLib import newTable
    order = font.getGlyphOrder()
    glyphs = font.getGlyphSet()
    glyf = newTable("glyf")
    glyf.glyphOrder, glyf.glyphs = order, {}
    for name in order:
        pen = TTGlyphPen(None)
        glyphs[name].draw(Cu2QuPen(pen, 1.0, reverse_direction=True))
        glyf[name] = pen.glyph()
    font["loca"], font["glyf"] = newTable("loca"), glyf
    font["head"].glyphDataFormat = 0
    maxp = font["maxp"] = newTable("maxp")
    maxp.tableVersion = 0x00010000
    for attr in ("maxTwilightPoints", "maxStorage", "maxFunctionDefs", "maxInstructionDefs", "maxStackElements",
                 "maxSizeOfInstructions", "maxComponentElements"):
        setattr(maxp, attr, 0)
    maxp.maxZones = 1
    post = font["post"]
    post.formatType, post.extraNames, post.mapping = 2.0, [], {}
    post.glyphOrder = order
    del font["CFF "]
    font.sfntVersion = "\x00\x01\x00\x00"


@lru_cache(maxsize=2)
def base_font(truetype: bool = True) -> tuple[str, frozenset[int]] | None:
    """A cut of the CJK font holding the common characters only, with TrueType outlines, made
    once per machine (under a minute) and cached: fpdf2 reads and subsets it in a fraction of
    the time the whole 65,000-glyph collection takes (README, 基准 / Benchmarks). A document
    with a character outside it uses the whole font. None when it cannot be made (then always
    the whole font)."""
    from fontTools import subset
    from fontTools.ttLib import TTFont
    path, index = font_file()
    try:
        stamp = f"{path}:{index}:{Path(path).stat().st_mtime_ns}:{BASE_VERSION}:{truetype}"
        out = _cache_dir() / f"base-{hashlib.sha256(stamp.encode()).hexdigest()[:12]}.{'ttf' if truetype else 'otf'}"
        if not out.exists():
            out.parent.mkdir(parents=True, exist_ok=True)
            font = TTFont(path, fontNumber=index)
            options = subset.Options()
            options.layout_features, options.name_IDs, options.notdef_outline = [], ["*"], True
            options.drop_tables += ["GSUB", "GPOS", "GDEF", "vhea", "vmtx", "VORG"]
            cutter = subset.Subsetter(options)
            cutter.populate(unicodes=_common_chars())
            cutter.subset(font)
            if truetype and "CFF " in font:
                _to_truetype(font)
            with tempfile.NamedTemporaryFile(dir=out.parent, suffix=".tmp", delete=False) as tmp:
                font.save(tmp)
            os.chmod(tmp.name, 0o644)
            os.replace(tmp.name, out)           # atomic: another process may be making it too
        return str(out), frozenset(TTFont(str(out), lazy=True).getBestCmap())
    except OSError as exc:
        log.warning("certificate base font not made (%s): using the whole font", exc)
        return None


@lru_cache(maxsize=2)
def level1_font(truetype: bool = True) -> tuple[str, frozenset[int]] | None:
    """A smaller cut again, GB 2312's first level only (3,755 characters), cut from the base
    font: a document whose characters all fall in it (most certificates) is read and subset
    in about three quarters of the base font's time. None when it cannot be made."""
    from fontTools import subset
    from fontTools.ttLib import TTFont
    base = base_font(truetype)
    if base is None:
        return None
    try:
        out = Path(base[0]).with_name(Path(base[0]).stem + "-l1" + Path(base[0]).suffix)
        if not out.exists():
            font = TTFont(base[0])
            options = subset.Options()
            options.layout_features, options.name_IDs, options.notdef_outline = [], ["*"], True
            cutter = subset.Subsetter(options)
            cutter.populate(unicodes=_common_chars(0xD7))
            cutter.subset(font)
            with tempfile.NamedTemporaryFile(dir=out.parent, suffix=".tmp", delete=False) as tmp:
                font.save(tmp)
            os.chmod(tmp.name, 0o644)
            os.replace(tmp.name, out)
        return str(out), frozenset(TTFont(str(out), lazy=True).getBestCmap())
    except OSError as exc:
        log.warning("certificate level-1 font not made (%s): using the base font", exc)
        return None


def preload() -> None:
    """Find the fonts and read the base fonts' character maps once, in a worker's main process
    before RQ forks a work-horse per job, so that each render job starts with them read."""
    try:
        font_file()
        base_font(SETTINGS["truetype"])
        level1_font(SETTINGS["truetype"])
        import fontTools.subset  # noqa: F401  (fpdf2 imports it at output)
    except (FontMissing, OSError, ImportError) as exc:
        log.warning("certificate fonts not preloaded: %s", exc)


def _rgb(color: str) -> tuple[int, int, int]:
    color = color.lstrip("#")
    return tuple(int(color[i:i + 2], 16) for i in (0, 2, 4))


def star_points(cx: float, cy: float, r: float) -> list[tuple[float, float]]:
    points = []
    for i in range(10):
        radius = r if i % 2 == 0 else r * 0.382
        angle = -math.pi / 2 + i * math.pi / 5
        points.append((cx + radius * math.cos(angle), cy + radius * math.sin(angle)))
    return points


class PdfSurface:
    def __init__(self, chars: set[int] | None = None):
        """chars: every character the page will show (None: unknown — the whole font)."""
        self.pdf = FPDF(orientation="L", unit="mm", format="A4")
        self.pdf.set_auto_page_break(False)
        self.pdf.set_margin(0)
        self.pdf.add_page()
        path, index = font_file()
        if chars is not None:        # the smallest cut that holds every character of the page
            for cut in ((level1_font, base_font) if SETTINGS["level1"] else (base_font,)):
                found = cut(SETTINGS["truetype"])
                if found is not None and chars <= found[1]:
                    path, index = found[0], 0
                    break
        self.pdf.add_font("cjk", "", path, collection_font_number=index)
        # The embedded subset keeps the whole font's bounding boxes (a superset, as valid) instead
        # of fontTools recomputing them by running every kept glyph's outline program on save.
        self.pdf.fonts["cjk"].ttfont.recalcBBoxes = False
        self.pdf.set_font("cjk", size=12)

    def measure(self, text: str, size: float) -> float:
        self.pdf.set_font_size(size)
        return self.pdf.get_string_width(text)

    def text(self, x: float, y: float, text: str, size: float, color: str) -> None:
        self.pdf.set_font_size(size)
        self.pdf.set_text_color(*_rgb(color))
        self.pdf.text(x, y, text)

    def rect(self, x, y, w, h, color: str, width: float = 0.0) -> None:
        if width:
            self.pdf.set_draw_color(*_rgb(color))
            self.pdf.set_line_width(width)
            self.pdf.rect(x, y, w, h, style="D")
        else:
            self.pdf.set_fill_color(*_rgb(color))
            self.pdf.rect(x, y, w, h, style="F")

    def circle(self, cx, cy, r, color: str, width: float) -> None:
        self.pdf.set_draw_color(*_rgb(color))
        self.pdf.set_line_width(width)
        self.pdf.circle(x=cx, y=cy, radius=r, style="D")

    def polygon(self, points, color: str) -> None:
        self.pdf.set_fill_color(*_rgb(color))
        self.pdf.polygon(points, style="F")

    def image(self, path: str, x, y, w, h) -> None:
        self.pdf.image(path, x=x, y=y, w=w, h=h)

    def glyph(self, cx: float, cy: float, ch: str, size: float, color: str, angle: float) -> None:
        """One character centred on (cx, cy), turned `angle` degrees counter-clockwise."""
        self.pdf.set_font_size(size)
        self.pdf.set_text_color(*_rgb(color))
        with self.pdf.rotation(angle, cx, cy):
            self.pdf.text(cx - self.pdf.get_string_width(ch) / 2, cy + size * PT * 0.36, ch)

    def output(self) -> bytes:
        return bytes(self.pdf.output())


@lru_cache(maxsize=32)
def _pil_font(size_px: int) -> ImageFont.FreeTypeFont:
    path, index = font_file()
    return ImageFont.truetype(path, size_px, index=index)


RAMP = 16           # shades from white to each ink: the anti-aliased edges of text and lines


@lru_cache(maxsize=16)
def _palette(inks: frozenset) -> Image.Image:
    """A palette image holding white, black and each ink's ramp from white (at most 256)."""
    colours = [(255, 255, 255), (0, 0, 0)]
    for ink in sorted(inks):
        for step in range(1, RAMP + 1):
            colours.append(tuple(round(255 + (c - 255) * step / RAMP) for c in ink))
    colours = list(dict.fromkeys(colours))[:256]
    image = Image.new("P", (1, 1))
    image.putpalette([v for c in colours for v in c] + [0] * (3 * (256 - len(colours))))
    return image


class PngSurface:
    def __init__(self, dpi: int):
        self.k = dpi / 25.4
        self.dpi = dpi
        self.img = Image.new("RGB", (round(PAGE_W * self.k), round(PAGE_H * self.k)), "white")
        self.draw = ImageDraw.Draw(self.img)
        self.inks: set[tuple[int, int, int]] = set()
        self.pictures = False           # an image pasted (a seal): colours not known beforehand

    def _ink(self, color: str) -> tuple[int, int, int]:
        rgb = _rgb(color)
        self.inks.add(rgb)
        return rgb

    def _font(self, size: float) -> ImageFont.FreeTypeFont:
        return _pil_font(round(size * PT * self.k))

    def _p(self, v: float) -> int:
        return round(v * self.k)

    def measure(self, text: str, size: float) -> float:
        return self._font(size).getlength(text) / self.k

    def text(self, x, y, text: str, size: float, color: str) -> None:
        self.draw.text((self._p(x), self._p(y)), text, font=self._font(size), fill=self._ink(color), anchor="ls")

    def rect(self, x, y, w, h, color: str, width: float = 0.0) -> None:
        box = [self._p(x), self._p(y), self._p(x + w) - 1, self._p(y + h) - 1]
        if width:
            self.draw.rectangle(box, outline=self._ink(color), width=max(1, self._p(width)))
        else:
            self.draw.rectangle(box, fill=self._ink(color))

    def circle(self, cx, cy, r, color: str, width: float) -> None:
        self.draw.ellipse([self._p(cx - r), self._p(cy - r), self._p(cx + r), self._p(cy + r)],
                          outline=self._ink(color), width=max(1, self._p(width)))

    def polygon(self, points, color: str) -> None:
        self.draw.polygon([(x * self.k, y * self.k) for x, y in points], fill=self._ink(color))

    def image(self, path: str, x, y, w, h) -> None:
        self.pictures = True
        with Image.open(path) as seal:
            seal = seal.convert("RGBA").resize((self._p(w), self._p(h)))
            self.img.paste(seal, (self._p(x), self._p(y)), seal)

    def glyph(self, cx: float, cy: float, ch: str, size: float, color: str, angle: float) -> None:
        font = self._font(size)
        side = self._p(size * PT * 1.6)
        tile = Image.new("L", (side, side), 0)
        ImageDraw.Draw(tile).text((side / 2, side / 2), ch, font=font, fill=255, anchor="mm")
        tile = tile.rotate(angle, resample=Image.Resampling.BICUBIC)
        ink = Image.new("RGB", tile.size, self._ink(color))
        self.img.paste(ink, (self._p(cx) - side // 2, self._p(cy) - side // 2), tile)

    def qr_pixels(self, matrix: list[list[bool]], x: float, y: float, size: float) -> None:
        """Whole pixels per module (a scaled code with fractional modules scans badly)."""
        n = len(matrix)
        module = max(1, self._p(size) // n)
        ox, oy = self._p(x), self._p(y)
        for r, row in enumerate(matrix):
            for c, dark in enumerate(row):
                if dark:
                    self.draw.rectangle([ox + c * module, oy + r * module,
                                         ox + (c + 1) * module - 1, oy + (r + 1) * module - 1], fill=(0, 0, 0))

    def output(self) -> bytes:
        buf = io.BytesIO()
        # A palette PNG: a fifth of the RGB size. Drawn in known inks only, the palette is those
        # inks' ramps from white, mapped without dithering (an eighth of the time of building a
        # 64-colour octree palette per image); with a seal picture pasted, the octree's 64.
        if self.pictures or SETTINGS["png_palette"] == "octree":
            paletted = self.img.quantize(colors=64, method=Image.Quantize.FASTOCTREE)
        else:
            paletted = self.img.quantize(palette=_palette(frozenset(self.inks)), dither=Image.Dither.NONE)
        # zlib level 3: a third of level 6's time for a file a third larger (about 110 KB)
        paletted.save(buf, "PNG", compress_level=SETTINGS["png_zlib"], dpi=(self.dpi, self.dpi))
        return buf.getvalue()

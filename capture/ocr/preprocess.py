"""Turn a scan or phone photo into the image Tesseract reads best.

Every step is Pillow only: a capture worker must not need a numerical stack to run.
"""

from __future__ import annotations

from statistics import median

from PIL import Image, ImageChops, ImageFilter, ImageMath, ImageOps

# Tesseract reads best when a printed line is roughly 30-40 px tall; measured on real
# receipts, 32 read more totals right than 25 or 40, and costs less time than 40.
TARGET_LINE_HEIGHT = 32
MAX_SCALE_UP = 3.0
# A page bigger than this gains nothing from its extra pixels and costs OCR time.
MAX_SIDE = 3600
PROBE_SIDE = 600
# The spread of paper brightness, in grey levels, above which lighting counts as uneven.
UNEVEN_LIGHT = 45
# Below this share of right-half rows lining up with left-half rows, a page is set in columns.
MULTI_COLUMN_ALIGNED = 0.62
# Finding the print on a page: a probe this size, ink covering this share of a small
# neighbourhood (out of 255), and a crop only when the print covers less of the page than this.
PROBE_SIDE_CROP = 800
PRINT_DENSITY = 40
CROP_WHEN_PRINT_COVERS = 0.6


def prepare(image: Image.Image) -> Image.Image:
    image = ImageOps.exif_transpose(image)
    grey = to_grey(image)
    grey = shrink_to(grey, MAX_SIDE)
    grey = crop_to_print(grey)
    angle = estimate_skew(grey)
    if abs(angle) >= 0.3:
        grey = grey.rotate(angle, resample=Image.Resampling.BICUBIC, expand=True, fillcolor=255)
    grey = flatten_light(grey)
    grey = ImageOps.autocontrast(grey, cutoff=1)
    line_height = estimate_line_height(grey)
    if line_height:
        factor = TARGET_LINE_HEIGHT / line_height
        factor = min(factor, MAX_SCALE_UP, MAX_SIDE / max(grey.size))
        if factor > 1.3 or factor < 0.6:
            size = (max(1, round(grey.width * factor)), max(1, round(grey.height * factor)))
            grey = grey.resize(size, Image.Resampling.LANCZOS if factor < 1 else Image.BICUBIC)
    grey.info["dpi"] = (300, 300)
    return grey


def crop_to_print(grey: Image.Image) -> Image.Image:
    """Cut a small receipt out of a large, mostly empty scan, keeping a margin round it.

    Print is found as ink that is dense over a few characters' width, so the scanner's speckle
    and dust, scattered single dots, do not count. Without the empty page round it the print's
    line height is measured on the print alone and the receipt is scaled up to be read.
    """
    probe = shrink_to(grey, PROBE_SIDE_CROP)
    factor = grey.width / probe.width
    density = _ink(probe).filter(ImageFilter.BoxBlur(3))
    box = density.point(lambda v: 255 if v > PRINT_DENSITY else 0).getbbox()
    if box is None:
        return grey
    left, top, right, bottom = box
    if (right - left) * (bottom - top) > CROP_WHEN_PRINT_COVERS * probe.width * probe.height:
        return grey
    margin = max(right - left, bottom - top) * 0.04 + 4
    box = (
        max(0, round((left - margin) * factor)),
        max(0, round((top - margin) * factor)),
        min(grey.width, round((right + margin) * factor)),
        min(grey.height, round((bottom + margin) * factor)),
    )
    return grey.crop(box)


def flatten_light(grey: Image.Image) -> Image.Image:
    """Divide out uneven lighting (a shadow across a photo) so one threshold fits the page.

    The paper's brightness is estimated on a small copy where a maximum filter removes the
    print, then every pixel is scaled as if the paper were evenly white.
    """
    small = shrink_to(grey, 160)
    paper = small.filter(ImageFilter.MaxFilter(5)).filter(ImageFilter.GaussianBlur(4))
    histogram = paper.histogram()
    # An evenly lit scan is left alone: dividing it only stretches the noise in faint print.
    if _percentile(histogram, 0.9) - _percentile(histogram, 0.1) < UNEVEN_LIGHT:
        return grey
    paper = paper.resize(grey.size, Image.Resampling.BILINEAR)
    return ImageMath.lambda_eval(
        lambda env: env["convert"](env["min"](env["a"] * 255 / (env["b"] + 1), 255), "L"),
        a=grey,
        b=paper,
    )


def _percentile(histogram: list[int], share: float) -> int:
    wanted, seen = share * sum(histogram), 0
    for value, count in enumerate(histogram):
        seen += count
        if seen >= wanted:
            return value
    return 255


def to_grey(image: Image.Image) -> Image.Image:
    if image.mode in ("RGBA", "LA", "PA") or (image.mode == "P" and "transparency" in image.info):
        # Transparent pixels are text-less background: flatten onto white, not black.
        rgba = image.convert("RGBA")
        background = Image.new("RGBA", rgba.size, (255, 255, 255, 255))
        image = Image.alpha_composite(background, rgba)
    return image.convert("L")


def shrink_to(image: Image.Image, max_side: int) -> Image.Image:
    if max(image.size) <= max_side:
        return image
    factor = max_side / max(image.size)
    size = (max(1, round(image.width * factor)), max(1, round(image.height * factor)))
    return image.resize(size, Image.Resampling.LANCZOS)


def _ink(grey: Image.Image) -> Image.Image:
    """White ink on black: dark print becomes bright so row sums measure text."""
    # Local contrast rather than a fixed threshold, so a shadow across a photo is not ink.
    background = grey.filter(ImageFilter.BoxBlur(max(4, min(grey.size) // 40)))
    return ImageChops.subtract(background, grey).point(lambda v: 255 if v > 40 else 0)


def _row_profile(ink: Image.Image) -> list[int]:
    # Averaging each row down to one pixel is Pillow's fast way to sum a row.
    column = ink.resize((1, ink.height), Image.Resampling.BOX)
    flat = getattr(column, "get_flattened_data", None) or column.getdata
    return list(flat())


def _spread(profile: list[int]) -> float:
    mean = sum(profile) / len(profile)
    return sum((v - mean) ** 2 for v in profile) / len(profile)


def estimate_skew(grey: Image.Image, limit: float = 8.0) -> float:
    """The rotation, in degrees, that makes printed lines horizontal.

    Text rows give a spiky row profile when level and a flat one when tilted, so the angle with
    the most spread-out profile wins; searched coarse then fine on a small copy.
    """
    probe = shrink_to(grey, PROBE_SIDE)
    ink = _ink(probe)
    best_angle, best_score = 0.0, _spread(_row_profile(ink))
    step = 1.0
    candidates = [float(a) for a in range(-int(limit), int(limit) + 1) if a]
    for _ in range(3):
        for angle in candidates:
            turned = ink.rotate(angle, resample=Image.Resampling.NEAREST, expand=False)
            score = _spread(_row_profile(turned))
            if score > best_score * 1.02:
                best_angle, best_score = angle, score
        step /= 4
        candidates = [best_angle + step * k for k in (-3, -2, -1, 1, 2, 3)]
    return round(best_angle, 2)


def _runs(profile: list[int], threshold: float) -> list[tuple[int, int]]:
    runs, start = [], None
    for row, value in enumerate([*profile, 0]):
        if value > threshold and start is None:
            start = row
        elif value <= threshold and start is not None:
            if row - start >= 3:
                runs.append((start, row))
            start = None
    return runs


def looks_multi_column(grey: Image.Image) -> bool:
    """True when the right half's printed rows mostly do not line up with the left half's.

    A till receipt's rows run across the paper (item left, price right); an invoice sets an
    address block beside a details block and totals under the table, each on its own rows.
    """
    ink = _ink(shrink_to(grey, 1000))
    # The outer tenth each side is left out: in a photo it holds the desk's edge, not print.
    margin, half = ink.width // 10, ink.width // 2
    sides = [
        _row_profile(ink.crop((margin, 0, half, ink.height))),
        _row_profile(ink.crop((half, 0, ink.width - margin, ink.height))),
    ]
    threshold = max(3, max(max(sides[0], default=0), max(sides[1], default=0)) * 0.05)
    left, right = (_runs(side, threshold) for side in sides)
    if len(left) < 4 or len(right) < 4:
        return False
    aligned = sum(
        any(min(b, d) - max(a, c) >= 0.5 * min(b - a, d - c) for a, b in left) for c, d in right
    )
    return aligned / len(right) < MULTI_COLUMN_ALIGNED


def estimate_line_height(grey: Image.Image) -> float | None:
    """Median height in pixels of the runs of inked rows, i.e. of a printed line."""
    ink = _ink(grey)
    profile = _row_profile(ink)
    threshold = max(3, max(profile) * 0.08) if profile else 0
    runs: list[int] = []
    run = 0
    for value in profile:
        if value > threshold:
            run += 1
        elif run:
            runs.append(run)
            run = 0
    if run:
        runs.append(run)
    runs = [r for r in runs if r >= 4]
    if len(runs) < 3:
        return None
    return float(median(runs))

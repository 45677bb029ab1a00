"""`mledger plot` writes a PNG that Pillow decodes; every chunk CRC checks out with zlib.crc32;
pixels where the printed layout puts data points (mapped here independently with the
documented formula) have the line and band colours."""
import json
import math
import struct
import zlib

from PIL import Image

from mledger_node import mledger

ACTUAL, FORECAST, BAND = (31, 119, 180), (230, 85, 13), (253, 174, 107)
BAND_ON_WHITE = tuple(round(c * 0.45 + 255 * 0.55) for c in BAND)


def write_csv(path, n=48):
    rows = ["time,actual,forecast,lower,upper"]
    for i in range(n):
        actual = 400 + 300 * math.sin(i / 5)
        forecast = actual + 40
        # The last 6 hours have no actual yet: a gap the chart must leave empty.
        rows.append(f"2026-06-{1 + i // 24:02d}T{i % 24:02d}:00:00Z,{'' if i >= n - 6 else f'{actual:.3f}'},"
                    f"{forecast:.3f},{forecast - 150:.3f},{forecast + 150:.3f}")
    path.write_text("\n".join(rows) + "\n")
    return n


def test_png_decodes_and_pixels_sit_where_the_data_are(tmp_path):
    csv, png = tmp_path / "series.csv", tmp_path / "plot.png"
    n = write_csv(csv)
    result = mledger("plot", "--csv", str(csv), "--out", str(png), "--title", "PV forecast", "--y-label", "W")
    assert result.returncode == 0, result.stdout + result.stderr
    layout = json.loads(result.stdout)
    data = png.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    pos, kinds = 8, []
    while pos < len(data):
        length, kind = struct.unpack(">I4s", data[pos:pos + 8])
        crc, = struct.unpack(">I", data[pos + 8 + length:pos + 12 + length])
        assert zlib.crc32(data[pos + 4:pos + 8 + length]) == crc, f"bad CRC in {kind}"
        kinds.append(kind)
        pos += 12 + length
    assert kinds[0] == b"IHDR" and kinds[-1] == b"IEND" and b"IDAT" in kinds
    image = Image.open(png)
    image.load()
    assert image.mode == "RGB" and image.size == (layout["width"], layout["height"]) == (960, 420)
    left, top, width, height = (layout["plot"][k] for k in ("left", "top", "width", "height"))
    y_min, y_max = layout["y_min"], layout["y_max"]

    def px(i):
        return left + round(i * (width - 1) / (n - 1))

    def py(v):
        return top + round((y_max - v) / (y_max - y_min) * (height - 1))

    for i in (4, 17, 30):
        actual = 400 + 300 * math.sin(i / 5)
        assert image.getpixel((px(i), py(actual))) == ACTUAL, f"actual line at hour {i}"
        assert image.getpixel((px(i), py(actual + 40))) == FORECAST, f"forecast line at hour {i}"
        inside = image.getpixel((px(i), py(actual + 40 + 100)))
        assert inside in (BAND_ON_WHITE, tuple(round(c * 0.45 + 225 * 0.55) for c in BAND)), f"band at hour {i}: {inside}"
    # No actual line in the gap at the end: the column under the forecast shows band, not blue.
    gap = [image.getpixel((px(n - 2), y)) for y in range(top, top + height)]
    assert ACTUAL not in gap and FORECAST in gap
    assert image.getpixel((2, 2)) == (255, 255, 255)
    assert image.getpixel((left - 1, top + height // 2)) == (0, 0, 0)


def test_bad_csv_is_refused_with_line_and_column(tmp_path):
    csv = tmp_path / "bad.csv"
    csv.write_text("time,actual,forecast,lower,upper\nt0,1,2,0,3\nt1,1,abc,0,3\n")
    result = mledger("plot", "--csv", str(csv), "--out", str(tmp_path / "x.png"))
    assert result.returncode != 0 and "line 3" in result.stderr and "forecast" in result.stderr
    assert not (tmp_path / "x.png").exists()
    csv.write_text("time,actual,forecast,upper\nt0,1,2,3\n")
    result = mledger("plot", "--csv", str(csv), "--out", str(tmp_path / "x.png"))
    assert result.returncode != 0 and "'lower'" in result.stderr

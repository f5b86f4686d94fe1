"""Pictures of widgets: fast PNG frames, montages, snapshots, and a widget shown with a static picture.

JupyterLab with a kernel draws the live widget; GitHub, nbviewer and a notebook opened without running
it show the picture instead (helpers.execute keeps only the picture in the stored notebook).
"""
from __future__ import annotations

import base64
import io
from dataclasses import dataclass
from typing import Any

import ipywidgets as widgets
from IPython.display import display
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from PIL import Image


def encode_png(canvas: FigureCanvasAgg) -> bytes:
    """The canvas's current pixels as a PNG, quickly: no redraw, RGB, light compression."""
    rgba = canvas.buffer_rgba()
    picture = Image.frombuffer("RGBA", (rgba.shape[1], rgba.shape[0]), rgba, "raw", "RGBA", 0, 1)
    out = io.BytesIO()
    picture.convert("RGB").save(out, format="PNG", compress_level=1)
    return out.getvalue()


def png_bytes(fig: Figure) -> bytes:
    """Draw a matplotlib figure and encode it quickly (no tight bounding box, light compression)."""
    canvas = fig.canvas if isinstance(fig.canvas, FigureCanvasAgg) else FigureCanvasAgg(fig)
    canvas.draw()
    return encode_png(canvas)


def side_by_side(*pngs: bytes) -> bytes:
    """One PNG holding the given PNGs next to each other, small enough to store in a notebook."""
    pictures = [Image.open(io.BytesIO(png)).convert("RGB") for png in pngs]
    sheet = Image.new("RGB", (sum(p.width for p in pictures), max(p.height for p in pictures)), "white")
    x = 0
    for picture in pictures:
        sheet.paste(picture, (x, 0))
        x += picture.width
    out = io.BytesIO()  # stored in the notebook: 256 colours keep it small (about 20 kB) and look the same
    sheet.quantize(256, method=Image.Quantize.FASTOCTREE, dither=Image.Dither.NONE).save(
        out, format="PNG", compress_level=9
    )
    return out.getvalue()


@dataclass
class Snapshot:
    """A line of text and a picture: a notebook shows both (e.g. what the lab's `run` returns)."""

    text: str
    png: bytes

    def _repr_mimebundle_(self, include: Any = None, exclude: Any = None) -> dict[str, str]:
        return {"text/plain": self.text, "image/png": base64.b64encode(self.png).decode("ascii")}


def show_with_picture(widget: widgets.Widget, picture: bytes | Figure, caption: str) -> None:
    """Display `widget` live, carrying `picture` (PNG bytes or a figure) and `caption` as the static fallback."""
    png = picture if isinstance(picture, bytes) else png_bytes(picture)
    bundle = widget._repr_mimebundle_() or {}
    bundle = dict(bundle)
    bundle["image/png"] = base64.b64encode(png).decode("ascii")
    bundle["text/plain"] = caption
    display(bundle, raw=True)

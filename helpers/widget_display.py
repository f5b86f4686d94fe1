"""Show a live widget together with a static picture of its default state.

JupyterLab with a kernel draws the live widget; GitHub, nbviewer and a notebook opened without running
it show the picture instead (helpers.execute keeps only the picture in the stored notebook).
"""
from __future__ import annotations

import base64
import io

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


def show_with_picture(widget: widgets.Widget, picture: bytes | Figure, caption: str) -> None:
    """Display `widget` live, carrying `picture` (PNG bytes or a figure) and `caption` as the static fallback."""
    png = picture if isinstance(picture, bytes) else png_bytes(picture)
    bundle = widget._repr_mimebundle_() or {}
    bundle = dict(bundle)
    bundle["image/png"] = base64.b64encode(png).decode("ascii")
    bundle["text/plain"] = caption
    display(bundle, raw=True)

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


def png_bytes(fig: Figure, compress_level: int = 1) -> bytes:
    """Render a matplotlib figure to PNG quickly (no tight bounding box, light compression)."""
    canvas = fig.canvas if isinstance(fig.canvas, FigureCanvasAgg) else FigureCanvasAgg(fig)
    canvas.draw()
    rgba = canvas.buffer_rgba()
    out = io.BytesIO()
    Image.frombuffer("RGBA", (rgba.shape[1], rgba.shape[0]), rgba, "raw", "RGBA", 0, 1).save(
        out, format="PNG", compress_level=compress_level
    )
    return out.getvalue()


def show_with_picture(widget: widgets.Widget, picture: bytes | Figure, caption: str) -> None:
    """Display `widget` live, carrying `picture` (PNG bytes or a figure) and `caption` as the static fallback."""
    png = picture if isinstance(picture, bytes) else png_bytes(picture)
    bundle = widget._repr_mimebundle_() or {}
    bundle = dict(bundle)
    bundle["image/png"] = base64.b64encode(png).decode("ascii")
    bundle["text/plain"] = caption
    display(bundle, raw=True)

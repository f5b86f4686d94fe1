"""The loss map draws nested contours on equal axes around the given centre; bad input is one sentence."""
from __future__ import annotations

import matplotlib.pyplot as plt
import pytest
import torch

from helpers.errors import CourseError
from helpers.loss_map import draw_loss_map

X = torch.tensor([-1.0, 0.0, 1.0])
Y = torch.tensor([1.0, 2.0, 3.0])  # exactly y = x + 2: the minimum is at w = 1, b = 2


def test_map_is_square_on_equal_axes_centred_where_asked_with_the_minimum_starred():
    fig, ax = plt.subplots()
    draw_loss_map(ax, X, Y, center=(1.0, 2.0), radius=3.0, start=(0.0, 0.0), title="t")
    assert ax.get_xlim() == (-2.0, 4.0) and ax.get_ylim() == (-1.0, 5.0)
    assert ax.get_aspect() == 1.0 and ax.get_title() == "t"
    markers = {line.get_marker(): (line.get_xdata()[0], line.get_ydata()[0]) for line in ax.get_lines()}
    assert markers == {"*": (1.0, 2.0), "o": (0.0, 0.0)}
    plt.close(fig)


def test_contours_of_a_centred_input_are_round():
    # x has mean 0 and mean square 2/3, so the loss is (2/3)(w-1)^2 + (b-2)^2: ellipses, not a valley.
    fig, ax = plt.subplots()
    draw_loss_map(ax, X, Y, center=(1.0, 2.0), radius=3.0)
    [contours] = [c for c in ax.get_children() if hasattr(c, "levels")]
    assert len(contours.levels) == 6 and contours.levels[0] == pytest.approx(0.25)
    plt.close(fig)


@pytest.mark.parametrize(
    "x, y, center, radius, fragment",
    [
        (X, Y[:2], (1, 2), 1.0, "same length"),
        ([1.0], [2.0], (1, 2), 1.0, "1-D tensors"),
        (X, Y, 3.0, 1.0, "center must be two numbers"),
        (X, Y, (1, 2), 0, "radius must be a number above 0"),
        (X, Y, (1, 2), "big", "radius must be a number above 0"),
    ],
)
def test_bad_input_is_one_sentence(x, y, center, radius, fragment):
    fig, ax = plt.subplots()
    with pytest.raises(CourseError, match=fragment):
        draw_loss_map(ax, x, y, center=center, radius=radius)
    plt.close(fig)

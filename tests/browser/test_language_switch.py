"""The portal's language switch can be seen: its button text stands out from what is behind it.

Measured before the fix: the "Change language" button was white on the portal's white header.
"""

from __future__ import annotations

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# The WCAG contrast ratio of an element's text against the first opaque background behind it.
CONTRAST = """(el) => {
  const rgb = (text) => text.match(/[\\d.]+/g).map(Number);
  const luminance = ([r, g, b]) => {
    const [R, G, B] = [r, g, b].map((v) => {
      v /= 255;
      return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4);
    });
    return 0.2126 * R + 0.7152 * G + 0.0722 * B;
  };
  let back = null;
  for (let node = el; node; node = node.parentElement) {
    const colour = rgb(getComputedStyle(node).backgroundColor);
    if (colour.length < 4 || colour[3] > 0.99) { back = colour; break; }
  }
  back = back || [255, 255, 255];
  const [a, b] = [luminance(rgb(getComputedStyle(el).color)), luminance(back)];
  return (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05);
}"""


@pytest.mark.parametrize("path", ["/s/pohjola/", "/login/"])
def test_the_language_button_has_enough_contrast(page, live_server, shop_a, path):
    page.goto(f"{live_server.url}{path}")
    button = page.get_by_role("button", name="Change language")
    assert button.is_visible()
    assert button.evaluate(CONTRAST) >= 4.5
    border = button.evaluate(CONTRAST.replace(").color)", ").borderTopColor)"))
    assert border >= 3  # the button's edge can be seen too (WCAG non-text contrast)

"""A QR code drawn with half-block characters, two modules per character cell, for the kiosk's
screen (pure: the same URL always gives the same text)."""

import qrcode

BLOCKS = {(False, False): " ", (True, False): "▀", (False, True): "▄", (True, True): "█"}
"""(top module dark, bottom module dark) → the character drawn in the dark colour."""


def qr_text(url: str) -> str:
    """The QR code of `url` with its quiet zone, as lines of text: dark modules are drawn in
    the foreground colour, so show it dark on a light background."""
    code = qrcode.QRCode(border=2, error_correction=qrcode.constants.ERROR_CORRECT_L)
    code.add_data(url)
    code.make(fit=True)
    matrix: list[list[bool]] = code.get_matrix()
    if len(matrix) % 2:
        matrix.append([False] * len(matrix[0]))
    return "\n".join(
        "".join(BLOCKS[(top, bottom)] for top, bottom in zip(upper, lower, strict=True))
        for upper, lower in zip(matrix[::2], matrix[1::2], strict=True)
    )

"""A QR code as a small SVG document, dark squares on a white ground with the quiet zone
(pure: the same text always gives the same picture; nothing fetched from elsewhere)."""

import qrcode


def qr_svg(text: str, *, border: int = 4) -> str:
    """The QR code of `text`: one 1×1 square per dark module in one path, scaled by the viewer
    (crisp at any size). Error correction M, so a phone screen's glare still scans."""
    code = qrcode.QRCode(border=border, error_correction=qrcode.constants.ERROR_CORRECT_M)
    code.add_data(text)
    code.make(fit=True)
    matrix: list[list[bool]] = code.get_matrix()
    size = len(matrix)
    squares = "".join(
        f"M{x},{y}h1v1h-1z" for y, row in enumerate(matrix) for x, dark in enumerate(row) if dark
    )
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {size} {size}" '
        f'shape-rendering="crispEdges"><rect width="{size}" height="{size}" fill="#fff"/>'
        f'<path fill="#000" d="{squares}"/></svg>'
    )

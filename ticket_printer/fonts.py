"""Finding a CJK font on the kiosk PC for raster printing and previews."""

import os
from dataclasses import dataclass
from pathlib import Path

from PIL import ImageFont

FONT_ENV = "YIMEN_TICKET_FONT"

# (path, face index in a collection): WenQuanYi Micro Hei (fonts-wqy-microhei), then Noto Sans
# CJK (fonts-noto-cjk), whose collections hold the Simplified Chinese face at index 2.
CANDIDATES: tuple[tuple[str, int, str | None], ...] = (
    (
        "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
        2,
        "/usr/share/fonts/opentype/noto/NotoSansCJK-Bold.ttc",
    ),
    ("/usr/share/fonts/truetype/wqy/wqy-microhei.ttc", 0, None),
    ("/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc", 0, None),
    ("/usr/share/fonts/opentype/noto/NotoSerifCJK-Regular.ttc", 2, None),
)


class FontMissing(RuntimeError):
    """No CJK font: raster tickets and previews cannot be drawn."""


@dataclass(frozen=True, slots=True)
class CjkFont:
    path: Path
    index: int = 0
    bold_path: Path | None = None
    """A bold face of the same family, if installed; otherwise bold is drawn with a stroke."""

    def face(self, size: int, *, bold: bool = False) -> ImageFont.FreeTypeFont:
        path = self.bold_path if bold and self.bold_path else self.path
        return ImageFont.truetype(str(path), size=size, index=self.index)


def find_cjk_font(explicit: Path | None = None) -> CjkFont:
    """The font given (or named in $YIMEN_TICKET_FONT), else the first CJK font installed."""
    chosen = explicit or (Path(os.environ[FONT_ENV]) if os.environ.get(FONT_ENV) else None)
    if chosen is not None:
        if not chosen.is_file():
            raise FontMissing(f"字体文件不存在：{chosen}")
        return CjkFont(chosen)
    for path, index, bold in CANDIDATES:
        if Path(path).is_file():
            bold_path = Path(bold) if bold and Path(bold).is_file() else None
            return CjkFont(Path(path), index, bold_path)
    raise FontMissing(
        "没有找到中文字体：请安装 fonts-wqy-microhei 或 fonts-noto-cjk，"
        f"或用 {FONT_ENV} 指定字体文件"
    )

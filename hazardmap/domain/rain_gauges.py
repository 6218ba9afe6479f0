"""Rain-gauge sites: the 2023 programme's village sites (a named batch whose villages staff assign:
the document names none) and sites added one by one afterwards; a site can be retired (撤除) and
restored. How many a batch has comes from the data, never from a constant."""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from hazardmap.domain.errors import InvalidInput
from hazardmap.domain.validation import check_visible, number_in_range

# The 2023 programme's batch, as the migration names its slots.
PROGRAMME_2023 = "2023年村部雨量计"
STATION_CODE = re.compile(r"^[0-9A-Za-z]{1,20}$")
REASON_MAX = 200


@dataclass(frozen=True)
class RainGaugeSite:
    slot: int
    village_code: str | None
    village: str | None
    township: str | None
    lon: float | None
    lat: float | None
    assigned_by: str | None
    assigned_at: str | None
    batch: str = ""                    # '' = added on its own, outside any programme
    station_code: str | None = None    # 站码
    install_year: int | None = None
    retired_on: str | None = None      # 'YYYY-MM-DD'; None while in use
    retired_reason: str | None = None
    retired_by: str | None = None
    retired_at: str | None = None

    @property
    def assigned(self) -> bool:
        return self.village_code is not None

    @property
    def retired(self) -> bool:
        return self.retired_on is not None

    @property
    def active(self) -> bool:
        """On the map: a village is known and the gauge has not been removed."""
        return self.assigned and not self.retired

    @property
    def batch_label(self) -> str:
        return self.batch or "单独新增"

    @property
    def status_label(self) -> str:
        if self.retired:
            return f"已撤除（{self.retired_on}）"
        return "在用" if self.assigned else "未落实"


def check_station_code(text: str | None) -> str | None:
    """站码: letters and digits as the water bureau writes them; empty means none."""
    if text is None or not text.strip():
        return None
    code = check_visible(text.strip(), "站码")
    if not STATION_CODE.match(code):
        raise InvalidInput(f"站码“{code}”格式不对：应为 1～20 位数字或字母")
    return code


def check_install_year(year: int | str | None, today: date | None = None) -> int | None:
    if year is None or str(year).strip() == "":
        return None
    last = (today or date.today()).year
    return int(number_in_range(year, "安装年份", 1949, last, whole=True, hint="：请写成 2025 这样的四位年份"))


def check_retire(on: str | date | None, reason: str, today: date | None = None) -> tuple[str, str]:
    """The date the gauge was removed (not in the future) and why; both required."""
    today = today or date.today()
    if on is None or str(on).strip() == "":
        on_date = today
    elif isinstance(on, date):
        on_date = on
    else:
        try:
            on_date = date.fromisoformat(str(on).strip())
        except ValueError:
            raise InvalidInput(f"撤除日期“{on}”格式不对：请写成 2026-05-03 这样的年-月-日") from None
    if on_date > today:
        raise InvalidInput(f"撤除日期 {on_date.isoformat()} 晚于今天")
    reason = check_visible((reason or "").strip(), "撤除原因")
    if not reason:
        raise InvalidInput("请写明撤除原因（例如“设备损坏拆除”）")
    if len(reason) > REASON_MAX:
        raise InvalidInput(f"撤除原因过长（最多 {REASON_MAX} 个字）")
    return on_date.isoformat(), reason

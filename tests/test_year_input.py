"""One reader for a year a user types: the key lists' and the fund plan's years say the same things,
each in its own word (年份 / 年度)."""
from __future__ import annotations

import pytest

from hazardmap.domain import fund
from hazardmap.domain.errors import InvalidInput
from hazardmap.services import key_lists


@pytest.mark.parametrize("read, word", [(key_lists.check_year, "年份"), (fund.check_year, "年度")])
def test_a_typed_year(read, word):
    assert read(" 2024 ") == 2024 and read(2000) == 2000 and read("2100") == 2100
    with pytest.raises(InvalidInput, match=f"^{word} 1999 不合理：应在 2000～2100 之间$"):
        read("1999")
    for bad in ("二〇二三", "2023.5", ""):
        with pytest.raises(InvalidInput, match=f"^{word}“{bad}”不是整数：请写四位数字，如 2023$"):
            read(bad)

"""The 一件事 catalog: the default list of 表A.1 complete, broken files refused with the key
named, the hall's own file and category moves, `GET /api/matters` and issuing by matter."""

import re
from pathlib import Path

import pytest

from queue_server.catalog import CatalogError, catalog_for_hall, parse_catalog, read_catalog
from queue_server.config import ConfigError, load_hall_config, parse_hall_config
from tests.support import LiveServer
from tests.test_config import DEFAULT_TEXT, SMALL_HALL

ENTERPRISE_MATTERS = {
    "开办餐饮店",
    "员工录用",
    "企业注销登记",
    "企业信息变更",
    "开办运输企业",
    "信用修复",
    "水电气暖网联合报装",
    "涉企不动产登记",
    "企业上市合法合规信息核查",
    "企业破产信息核查",
}

ONE_MATTER = """
[[matters]]
id = "newborn"
name = "新生儿出生"
category = "general"
items = ["出生登记"]
materials = ["出生医学证明"]
"""


def test_the_default_catalog_holds_all_twenty_matters_of_table_a1() -> None:
    catalog = read_catalog()
    names = [m.name for m in catalog.matters]
    assert len(names) == 20
    assert names[0] == "新生儿出生"
    assert names[2] == "军人退役"
    assert names[-1] == "企业破产信息核查"
    assert len({m.id for m in catalog.matters}) == 20
    assert all(m.id.isascii() for m in catalog.matters)
    for matter in catalog.matters:
        expected = "enterprise" if matter.name in ENTERPRISE_MATTERS else "general"
        assert matter.category == expected, matter.name


def test_items_and_materials_are_those_of_the_table() -> None:
    catalog = read_catalog()
    newborn = catalog.find("newborn")
    assert newborn is not None and newborn is catalog.find("新生儿出生")
    assert newborn.items[0] == "出生医学证明首次签发服务"
    assert newborn.items[-1] == "社会保障卡申领"
    assert newborn.materials == [
        "夫妻双方身份证",
        "夫妻双方户口簿",
        "夫妻双方结婚证",
        "出生医学证明",
        "民族成份确认书",
    ]
    counts = {m.name: (len(m.items), len(m.materials)) for m in catalog.matters}
    assert counts["公民身后"] == (17, 20)
    assert counts["军人退役"] == (3, 14)
    assert counts["开办运输企业"] == (2, 15)
    assert counts["企业上市合法合规信息核查"] == (17, 7)
    assert counts["教育入学"] == (1, 0)  # the table lists no materials for it
    assert sum(items for items, _ in counts.values()) == 125
    assert sum(materials for _, materials in counts.values()) == 133
    for matter in catalog.matters:
        for text in [*matter.items, *matter.materials]:
            assert text == text.strip() and not re.match(r"\d+\.", text), text


@pytest.mark.parametrize(
    ("text", "key"),
    [
        (ONE_MATTER.replace('id = "newborn"', 'id = "新生儿"'), "matters.0 (新生儿).id"),
        (ONE_MATTER.replace('items = ["出生登记"]', "items = []"), "matters.0 (newborn).items"),
        (ONE_MATTER.replace('name = "新生儿出生"\n', ""), "matters.0 (newborn).name"),
        (ONE_MATTER + "colour = 1\n", "matters.0 (newborn).colour"),
        (ONE_MATTER + ONE_MATTER, "matters.1.id: duplicate value 'newborn'"),
        (ONE_MATTER.replace("materials = [", "materials = [3, "), "(newborn).materials.0"),
    ],
)
def test_a_broken_catalog_names_the_key(text: str, key: str) -> None:
    with pytest.raises(CatalogError) as raised:
        parse_catalog(text, source="matters.toml")
    message = str(raised.value)
    assert message.startswith("matters.toml: "), message
    assert key in message, message


def test_a_catalog_that_is_not_toml_is_refused() -> None:
    with pytest.raises(ConfigError, match=r"matters\.toml: not valid TOML"):
        parse_catalog("[[matters]\nid=", source="matters.toml")


def test_the_hall_points_at_its_own_catalog_and_moves_matters(tmp_path: Path) -> None:
    (tmp_path / "matters.toml").write_text(ONE_MATTER, encoding="utf-8")
    config = tmp_path / "hall.toml"
    config.write_text(
        DEFAULT_TEXT + '\n[matters]\nfile = "matters.toml"\ncategories = { newborn = "assist" }\n',
        encoding="utf-8",
    )
    catalog = catalog_for_hall(load_hall_config(config))
    assert [(m.id, m.category) for m in catalog.matters] == [("newborn", "assist")]


def test_a_hall_file_naming_an_unknown_category_is_refused(tmp_path: Path) -> None:
    (tmp_path / "matters.toml").write_text(
        ONE_MATTER.replace('"general"', '"passport"'), encoding="utf-8"
    )
    config = tmp_path / "hall.toml"
    config.write_text(DEFAULT_TEXT + '\n[matters]\nfile = "matters.toml"\n', encoding="utf-8")
    with pytest.raises(CatalogError, match=r"matters\.0 \(newborn\)\.category: unknown category"):
        catalog_for_hall(load_hall_config(config))
    config.write_text(DEFAULT_TEXT + '\n[matters]\nfile = "missing.toml"\n', encoding="utf-8")
    with pytest.raises(CatalogError, match="cannot read the 一件事 catalog"):
        catalog_for_hall(load_hall_config(config))


def test_a_move_to_an_unknown_matter_or_category_is_refused() -> None:
    moved = DEFAULT_TEXT + "\n[matters.categories]\nnewborn = 'passport'\n"
    with pytest.raises(CatalogError, match=r"matters\.categories\.newborn: unknown category"):
        catalog_for_hall(parse_hall_config(moved, source="hall.toml"))
    unknown = DEFAULT_TEXT + "\n[matters.categories]\nspaceflight = 'general'\n"
    with pytest.raises(CatalogError, match=r"matters\.categories\.spaceflight: no such"):
        catalog_for_hall(parse_hall_config(unknown, source="hall.toml"))


def test_a_hall_without_the_categories_offers_none_of_the_default_matters() -> None:
    small = parse_hall_config(SMALL_HALL, source="small.toml")
    assert catalog_for_hall(small).matters == []


def test_the_server_lists_the_catalog_and_issues_by_matter(server: LiveServer) -> None:
    board = server.client(server.accounts.board_token)
    matters = board.get("/api/matters").json()
    assert len(matters) == 20
    assert matters[0] == {
        "id": "newborn",
        "name": "新生儿出生",
        "category": "general",
        "items": read_catalog().matters[0].items,
        "materials": read_catalog().matters[0].materials,
        "cross_region": ["remote_accept"],
        "originals_by_mail": True,
        "deciding_halls": None,
    }
    assert next(m for m in matters if m["id"] == "school_enrolment")["cross_region"] == []
    kiosk = server.client(server.accounts.kiosk_token)
    by_id = kiosk.post("/api/tickets", json={"category": "enterprise", "matter": "credit_repair"})
    assert by_id.status_code == 201
    assert by_id.json()["matter"] == "信用修复"
    by_name = kiosk.post("/api/tickets", json={"category": "general", "matter": "退休"})
    assert by_name.json()["matter"] == "退休"
    seq = kiosk.get("/api/health").json()["seq"]
    unknown = kiosk.post("/api/tickets", json={"category": "general", "matter": "办护照"})
    assert unknown.status_code == 422
    assert unknown.json() == {"detail": "未知的一件事事项：办护照", "code": "invalid_input"}
    assert kiosk.get("/api/health").json()["seq"] == seq  # nothing issued

"""The city test helper serves the example city with accounts bound to the right halls."""

from pathlib import Path

from tests.city_support import live_city


def test_live_city_seeds_hall_bound_and_city_wide_accounts(tmp_path: Path) -> None:
    with live_city(tmp_path) as city:
        assert list(city.city.halls) == ["main", "kangbashi", "ejinhoro"]
        clerk = city.as_("kangbashi-clerk1")
        assert clerk.get("/api/hall").json()["name"] == "康巴什区政务服务中心"
        kiosk = city.client(city.city.hall("ejinhoro").kiosk_token)
        assert kiosk.get("/api/hall").json()["name"] == "伊金霍洛旗政务服务中心"
        wrong = city.as_("kangbashi-manager").get("/api/hall", params={"hall": "main"})
        assert (wrong.status_code, wrong.json()["code"]) == (403, "wrong_hall")
        needs = city.as_(city.city.manager).get("/api/hall")
        assert (needs.status_code, needs.json()["code"]) == (422, "hall_required")
        named = city.as_(city.city.admin).get("/api/hall", params={"hall": "ejinhoro"})
        assert named.json()["name"] == "伊金霍洛旗政务服务中心"
        assert city.login("main-clerk2")

"""A zone device's token end to end: `queue-server token issue NAME --role device --hall CODE`
for a device of the hall's zone only, and the token reporting that device's heartbeats (kinds
`self_service` and `locker`) and nothing else."""

from pathlib import Path

import httpx

from queue_server.config import load_hall_config
from tests.support import seed_accounts, threaded_server
from tests.test_cli import queue_server


def test_a_device_token_is_issued_for_a_zone_device_and_reports_only_it(tmp_path: Path) -> None:
    database = tmp_path / "hall.db"
    url = f"sqlite:///{database}"
    hall = load_hall_config()
    accounts = seed_accounts(url, hall, clerks=1)

    def issue(*args: str) -> tuple[int, str, str]:
        done = queue_server("token", "issue", *args, "--db", str(database))
        return done.returncode, done.stdout.strip(), done.stderr

    status, token, _ = issue("ss-shebao", "--role", "device", "--hall", hall.code)
    assert status == 0 and len(token) >= 40
    status, locker_token, _ = issue("locker-1", "--role", "device", "--hall", hall.code)
    assert status == 0
    status, _, message = issue("kiosk-9", "--role", "device", "--hall", hall.code)
    assert status == 2
    assert "'kiosk-9' is not a device of hall" in message and "ss-shebao" in message

    with threaded_server(url, hall=hall) as (host, port):
        base = f"http://{host}:{port}"

        def heartbeat(credential: str, name: str, kind: str, state: str = "ok") -> httpx.Response:
            return httpx.post(
                f"{base}/api/devices/{name}/heartbeat",
                json={"kind": kind, "state": state},
                headers={"Authorization": f"Bearer {credential}"},
            )

        assert heartbeat(token, "ss-shebao", "self_service", "fault").status_code == 200
        assert heartbeat(locker_token, "locker-1", "locker").status_code == 200
        for name, kind in (("ss-gjj", "self_service"), ("ss-shebao", "kiosk"), ("x", "locker")):
            refused = heartbeat(token, name, kind)
            assert (refused.status_code, refused.json()["code"]) == (403, "forbidden")
        me = httpx.get(f"{base}/api/auth/me", headers={"Authorization": f"Bearer {token}"})
        assert me.json()["role"] == "device"
        manager = httpx.post(
            f"{base}/api/auth/login",
            json={"username": accounts.manager, "password": "correct-horse-42"},
        ).json()["token"]
        listed = httpx.get(f"{base}/api/devices", headers={"Authorization": f"Bearer {manager}"})
        devices = {d["name"]: d for d in listed.json()}
        assert (devices["ss-shebao"]["state"], devices["ss-shebao"]["zone_status"]) == (
            "fault",
            "fault",
        )
        assert devices["locker-1"]["zone_status_label"] == "正常使用"
        assert devices["ss-gjj"]["status"] == "unknown"

"""The city the city benchmarks run: four halls on one durable PostgreSQL, served by one or
two `queue-server serve` processes.

The shipped example city (`main`, `kangbashi`, `ejinhoro`) gains a fourth hall, `wushen`, a
copy of the 康巴什区 hall file, in a temporary city.toml. Accounts (one clerk, a kiosk and a
board token per hall) are seeded once into a template database; each run gets a fresh copy.
"""

import contextlib
import shutil
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from benchmarks.pgcluster import PostgresCluster
from benchmarks.server import ServeProcess, launch, supervised
from queue_server.city import CityConfig, CityHall, example_city_path, load_city_config
from tests.city_support import CityAccounts, seed_city_accounts

FOURTH_HALL = ("wushen", "kangbashi.toml", "乌审旗", "内蒙古自治区鄂尔多斯市乌审旗嘎鲁图镇")
"""code, the example hall file it copies, district, address."""
SEED_DATABASE = "yimen_city_seed"
DEFAULT_POLL_SECONDS = 1.0
"""The server's own default for `poll_seconds` (the event tailer's period)."""


@dataclass(frozen=True, slots=True)
class Layout:
    """How many server processes share the database, and how often each polls the event log
    for what the others wrote (`YIMEN_POLL_SECONDS`). On PostgreSQL each process also LISTENs
    for the others' NOTIFY (queue_server/notify.py), which wakes its tailer at once; the poll
    is the fallback."""

    processes: int
    poll_seconds: float = DEFAULT_POLL_SECONDS

    def label(self) -> str:
        if self.processes == 1:
            return "1 process"
        return f"{self.processes} processes, NOTIFY + poll {self.poll_seconds:g} s"

    def key(self) -> str:
        return f"{self.processes}p-poll{self.poll_seconds:g}"


def _hall_file(entry: CityHall) -> Path:
    if entry.config_path is None:
        raise ValueError(f"the example city's hall {entry.code!r} has no file of its own")
    return entry.config_path


def write_city(directory: Path) -> Path:
    """The example city plus a fourth hall, in `directory`; returns the city.toml."""
    directory.mkdir(parents=True, exist_ok=True)
    source = example_city_path()
    example = load_city_config(source)
    code, copied, district, address = FOURTH_HALL
    shutil.copyfile(source.parent / copied, directory / f"{code}.toml")
    lines = [f'[city]\nname = "{example.name}"\n']
    halls = [
        (entry.code, _hall_file(entry).resolve(), entry.district, entry.address)
        for entry in example.halls
    ]
    halls.append((code, (directory / f"{code}.toml").resolve(), district, address))
    for hall_code, config, hall_district, hall_address in halls:
        table = f'[[halls]]\ncode = "{hall_code}"\nconfig = "{config}"\n'
        if hall_district:
            table += f'district = "{hall_district}"\n'
        if hall_address:
            table += f'address = "{hall_address}"\n'
        lines.append(table)
    city_file = directory / "city.toml"
    city_file.write_text("\n".join(lines), encoding="utf-8")
    return city_file


@dataclass(frozen=True, slots=True)
class SeededCity:
    cluster: PostgresCluster
    city_file: Path
    config: CityConfig
    accounts: CityAccounts
    template: str


def seed_city(cluster: PostgresCluster, directory: Path) -> SeededCity:
    """Write the four-hall city and seed its accounts into a template database."""
    city_file = write_city(directory / "city")
    config = load_city_config(city_file)
    template = cluster.create_database(name=SEED_DATABASE)
    accounts = seed_city_accounts(cluster.url(template), config, clerks=1)
    return SeededCity(cluster, city_file, config, accounts, template)


@dataclass(frozen=True, slots=True)
class RunningCity:
    """Server processes on one fresh database of the seeded city."""

    seeded: SeededCity
    database: str
    servers: list[ServeProcess]

    @property
    def codes(self) -> list[str]:
        return list(self.seeded.config.codes)

    def spread(self, index: int) -> ServeProcess:
        """The process the `index`-th kiosk, board or clerk of a hall talks to: round robin."""
        return self.servers[index % len(self.servers)]

    def check_alive(self) -> None:
        for server in self.servers:
            server.check_alive()

    def cpu_seconds(self) -> float:
        return sum(server.cpu_seconds() for server in self.servers)


@contextlib.contextmanager
def running_city(seeded: SeededCity, layout: Layout, directory: Path) -> Iterator[RunningCity]:
    """A fresh copy of the seeded database and `layout.processes` servers on it, started
    side by side; the database is dropped afterwards."""
    database = seeded.cluster.create_database(template=seeded.template)
    url = seeded.cluster.url(database)
    try:
        with contextlib.ExitStack() as stack:
            launched = [
                launch(
                    url,
                    directory / f"{database}-server{index + 1}.log",
                    arguments=("--city", str(seeded.city_file)),
                    environment={"YIMEN_POLL_SECONDS": f"{layout.poll_seconds:g}"},
                )
                for index in range(layout.processes)
            ]
            for server in launched:  # each registered at once, so that every one is stopped
                stack.enter_context(supervised(server))
            yield RunningCity(seeded, database, launched)
    finally:
        seeded.cluster.drop_database(database)


def query(
    seeded: SeededCity, database: str, sql: str, parameters: Sequence[object] = ()
) -> list[tuple[object, ...]]:
    """Read the database directly, to check what was stored."""
    with seeded.cluster.connect(database) as connection:
        return list(connection.execute(sql, parameters).fetchall())

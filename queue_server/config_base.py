"""What every part of the hall configuration shares."""


def check_unique(section: str, key: str, values: list[object]) -> None:
    """Refuse the second of two equal values, naming where it is (e.g. `windows.3.number`)."""
    seen: set[object] = set()
    for index, value in enumerate(values):
        if value in seen:
            raise ValueError(f"{section}.{index}.{key}: duplicate value {value!r}")
        seen.add(value)

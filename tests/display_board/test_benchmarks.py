"""The board and announcer benchmarks run (quick mode) and measure what they say."""

from playwright.sync_api import Page

from benchmarks import announce_ready, board_render
from tests.support import LiveServer


def test_call_to_web_board_benchmark_quick(server: LiveServer, page: Page) -> None:
    result = board_render.measure_on_page(page, server.base_url, server.accounts, quick=True)
    assert result.latency.samples == 5
    assert 0 < result.latency.p50 <= result.p95 <= result.latency.max


def test_call_to_wav_ready_benchmark_quick(server: LiveServer) -> None:
    result = announce_ready.run_against(server.base_url, server.accounts, quick=True)
    assert result.latency.samples == 3
    assert 0 < result.latency.p50 <= result.p95 <= result.latency.max
    assert 3.0 < result.audio_seconds < 20.0

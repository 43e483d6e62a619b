"""What one step of the Date slider sends, seen as the browser sees it: Streamlit's own protocol."""

from __future__ import annotations

from typing import TYPE_CHECKING

from benchmarks import capacity
from tests.support.browser import APP, running_app

if TYPE_CHECKING:
    from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

STEPS = 6


class RecordingSession(capacity.Session):
    """A protocol client that keeps what each run sent, references resolved."""

    def __init__(self, url: str) -> None:
        super().__init__(url)
        self.taken: list[ForwardMsg] = []

    def _take(self, message: ForwardMsg) -> None:
        self.taken.append(message)
        super()._take(message)


def kinds(messages: list[ForwardMsg]) -> list[str]:
    """Each delta's kind: ``element:<type>`` or ``block:<type>``."""
    found = []
    for message in messages:
        if message.WhichOneof("type") != "delta":
            continue
        delta = message.delta
        if delta.WhichOneof("type") == "new_element":
            found.append(f"element:{delta.new_element.WhichOneof('type')}")
        elif delta.WhichOneof("type") == "add_block":
            found.append(f"block:{delta.add_block.WhichOneof('type')}")
    return found


async def steps(url: str) -> tuple[list[str], list[list[str]], list[int]]:
    """The first run's kinds, then each step's kinds and bytes received."""
    session = RecordingSession(url)
    try:
        await session.open("date=2022-01-05")
        opening = kinds(session.taken)
        per_step, sizes = [], []
        for _ in range(STEPS):
            session.taken.clear()
            result = await session.step()
            per_step.append(kinds(session.taken))
            sizes.append(result.bytes_received)
        return opening, per_step, sizes
    finally:
        await session.close()


def test_a_step_redraws_the_days_text_and_leaves_the_map_and_layout_alone():
    """The map (the same on every day: the browser follows the slider) and the page's columns are
    drawn by a full run only; a step reruns the day's part, and elements unchanged from the day
    before arrive as a hash of what the browser holds.
    """
    with running_app(APP, timeout=120) as url:
        opening, per_step, sizes = capacity.in_own_thread(steps(url))
    assert "element:component_instance" in opening and "block:column" in opening
    for step in per_step:
        assert "element:component_instance" not in step
        assert "block:column" not in step
        assert step.count("element:slider") == 1
        assert "element:html" in step  # the day's headline, story and rail
    # Most of a step is the day's own text: an upper bound well above it, against regressions that
    # send the whole page again (about 60 KB a step).
    assert max(sizes) < 20_000, sizes

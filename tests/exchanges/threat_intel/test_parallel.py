"""A large envelope is checked by helper processes and the request together, with the same outcome."""

import os
import time

import pytest

from partnership.exchanges.threat_intel import parallel
from partnership.exchanges.threat_intel.models import ObjectVersion
from tests.exchanges.threat_intel.conftest import indicator, objects_url
from tests.exchanges.threat_intel.test_objects import BAD_OBJECTS

needs_two_cores = pytest.mark.skipif(parallel.helper_count() == 0, reason="a single core: no helpers")


def process_of(chunk: list[int]) -> tuple[list[int], int]:
    return [number * 2 for number in chunk], os.getpid()


@needs_two_cores
def test_chunks_are_shared_with_helper_processes_and_come_back_in_order():
    chunks = [list(range(start, start + 50)) for start in range(0, 5000, 50)]
    deadline = time.monotonic() + 120
    while True:
        # The first calls do everything here while the helpers start; then they take their share.
        results = parallel.map_in_order(process_of, chunks)
        assert [numbers for numbers, _pid in results] == [[n * 2 for n in chunk] for chunk in chunks]
        if {pid for _numbers, pid in results} - {os.getpid()}:
            break
        assert time.monotonic() < deadline, "no chunk ran in a helper process"
        time.sleep(0.5)


def test_an_error_in_a_chunk_is_raised_as_without_helpers():
    with pytest.raises(ZeroDivisionError):
        parallel.map_in_order(divide_by_zero, [[1], [2], [3]])


def divide_by_zero(chunk: list[int]) -> float:
    return chunk[0] / 0


@pytest.mark.django_db
def test_a_large_envelope_keeps_each_failure_in_order_and_in_the_readers_language(community, as_user):
    # Several chunks of checks (services._CHECK_CHUNK), bad objects in each, in a Japanese request.
    envelope, bad_at = [], []
    for number in range(600):
        if number % 47 == 5:
            bad_at.append(len(envelope))
            envelope.append({**indicator(f"bad {number}"), "id": "indicator--not-a-uuid"})
        else:
            envelope.append(indicator(f"good {number}"))
    envelope.extend(bad for bad, _reason in BAD_OBJECTS)
    response = as_user("jp-isac").post(
        objects_url(community.collection), {"objects": envelope}, HTTP_ACCEPT_LANGUAGE="ja"
    )
    status = response.json()
    good = len(envelope) - len(bad_at) - len(BAD_OBJECTS)
    assert (status["success_count"], status["failure_count"]) == (good, len(bad_at) + len(BAD_OBJECTS))
    # The failures in the order of the envelope, each with its reason, in Japanese.
    assert [failure["id"] for failure in status["failures"][: len(bad_at)]] == [
        "indicator--not-a-uuid"
    ] * len(bad_at)
    assert all("型を使った" in failure["message"] for failure in status["failures"][: len(bad_at)])
    assert (
        status["failures"][len(bad_at)]["message"]
        == "各オブジェクトは JSON オブジェクトでなければなりません。"
    )
    assert ObjectVersion.objects.filter(collection=community.collection).count() == good

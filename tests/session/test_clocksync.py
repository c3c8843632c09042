"""The station's estimate of the hub clock: NTP arithmetic, jitter rejection, drift following."""

import pytest

from session.station.clocksync import ClockEstimator


def exchange(estimator, local_send, offset, up, down, hub_hold=0.001):
    """A ping leaving at ``local_send`` with one-way delays ``up`` and ``down``."""
    t0 = local_send
    t1 = local_send + offset + up
    t2 = t1 + hub_hold
    t3 = t2 - offset + down
    return estimator.add(t0, t1, t2, t3)


def test_a_symmetric_exchange_gives_the_exact_offset():
    estimator = ClockEstimator()
    sample = exchange(estimator, 100.0, offset=-42.5, up=0.003, down=0.003)
    assert sample.offset == pytest.approx(-42.5)
    assert sample.round_trip == pytest.approx(0.006)
    assert estimator.session_time(200.0) == pytest.approx(157.5)


def test_the_shortest_round_trip_wins_over_delayed_exchanges():
    estimator = ClockEstimator()
    for k, (up, down) in enumerate([(0.050, 0.002), (0.002, 0.002), (0.002, 0.080)]):
        exchange(estimator, 10.0 + k, offset=5.0, up=up, down=down)
    assert estimator.best.round_trip == pytest.approx(0.004)
    assert estimator.session_time(0.0) == pytest.approx(5.0, abs=1e-9)


def test_the_error_is_bounded_by_half_the_round_trip_even_when_asymmetric():
    estimator = ClockEstimator()
    sample = exchange(estimator, 0.0, offset=1.0, up=0.010, down=0.0)
    assert abs(sample.offset - 1.0) <= sample.round_trip / 2 + 1e-12


def test_a_drifting_clock_is_followed_as_old_samples_leave_the_window():
    estimator = ClockEstimator(window=4)
    for second in range(20):
        # The station's oscillator runs 100 ppm fast: the offset shrinks 0.1 ms per second.
        exchange(estimator, float(second), offset=3.0 - second * 1e-4, up=0.002, down=0.002)
    assert estimator.session_time(19.0) - 19.0 == pytest.approx(3.0 - 18 * 1e-4, abs=2e-4)


def test_before_any_exchange_the_local_clock_stands_in():
    estimator = ClockEstimator()
    assert not estimator.synchronized
    assert estimator.session_time(7.0) == 7.0

"""Decision functions on numpy arrays, against the public cases of
shared/research/decision_cases.md: dampack's HERC incremental table, and the value of
information of the voi vignette's two-option model with closed forms."""
import math

import numpy as np
import pytest

import hemsim


def test_incremental_table_of_dampack_herc_example():
    t = hemsim.incremental_table(
        ["E", "D", "C", "B", "A", "UC"],
        np.array([55000, 35000, 25000, 10000, 12000, 5000.0]),
        np.array([5, 4, 3, 2, 1.5, 1.0]),
    )
    assert t["strategy"] == ["UC", "B", "D", "E", "C", "A"]
    assert t["status"] == ["ND", "ND", "ND", "ND", "ED", "D"]
    assert t["compared_with"] == [None, "UC", "B", "D", None, None]
    assert list(t["incremental_cost"][1:4]) == [5000, 25000, 20000]
    assert list(t["incremental_effect"][1:4]) == [1, 2, 1]
    assert list(t["icer"][1:4]) == [5000, 12500, 20000]
    assert all(math.isnan(x) for x in t["icer"][[0, 4, 5]])


def test_incremental_table_refuses_mismatched_sizes():
    with pytest.raises(ValueError):
        hemsim.incremental_table(["A", "B"], [1.0, 2.0], [1.0])


# voi vignette: t1 has NB 0; t2 has effect p1 and cost p2, p1 ~ N(1, 1), p2 ~ N(0, 2^2).
# At threshold k the incremental net benefit is k p1 - p2 ~ N(k, k^2 + 4).
EVPI = {1: 0.4798107063, 2: 0.3992824567, 3: 0.4094634160}
EVPPI_P1 = {1: 0.0833154706, 2: 0.1666309412, 3: 0.2499464118}
EVPPI_P2 = {1: 0.3955931148, 2: 0.1666309412, 3: 0.0586135875}


def voi_draws(n, seed=20181):
    rng = np.random.default_rng(seed)
    p1 = rng.normal(1.0, 1.0, n)
    p2 = rng.normal(0.0, 2.0, n)
    costs = np.column_stack([np.zeros(n), p2])
    effects = np.column_stack([np.zeros(n), p1])
    return costs, effects, p1, p2


def test_evpi_matches_the_closed_form():
    n = 200_000
    costs, effects, p1, p2 = voi_draws(n)
    r = hemsim.evpi(costs, effects, [1, 2, 3])
    assert list(r["wtp"]) == [1, 2, 3]
    for i, k in enumerate([1, 2, 3]):
        inb = k * p1 - p2
        # EVPI's estimate is the mean of max(-INB, 0) here (E[INB] > 0): its MC error.
        se = np.std(np.maximum(-inb, 0)) / math.sqrt(n)
        assert abs(r["evpi"][i] - EVPI[k]) <= 4 * se, (k, r["evpi"][i], EVPI[k], se)


def test_evppi_matches_the_closed_form():
    n = 50_000  # one parameter at a time: P-splines, about half a second each
    costs, effects, p1, p2 = voi_draws(n, seed=7)
    # E[INB | p1] = k p1 (E[p2] = 0); E[INB | p2] = k - p2 (E[p1] = 1).
    cases = ((p1, EVPPI_P1, lambda k: k * p1), (p2, EVPPI_P2, lambda k: k - p2))
    for theta, expected, conditional_inb in cases:
        r = hemsim.evppi(costs, effects, theta, [1, 2, 3])
        for i, k in enumerate([1, 2, 3]):
            # Noise of the draws (as for EVPI, with E[INB | theta] for INB) and of the regression.
            mc = np.std(np.maximum(-conditional_inb(k), 0)) / math.sqrt(n)
            tolerance = 4 * math.hypot(mc, r["standard_error"][i])
            assert abs(r["evppi"][i] - expected[k]) <= tolerance, (k, r["evppi"][i], expected[k], tolerance)


def test_acceptability_curves_are_labelled_and_match_the_normal_probability():
    n = 100_000
    costs, effects, p1, p2 = voi_draws(n)
    r = hemsim.acceptability_curves(costs, effects, [1.0, 3.0], strategies=["t1", "t2"])
    assert set(r) == {"wtp", "t1", "t2", "optimal", "frontier_probability"}
    for i, k in enumerate([1.0, 3.0]):
        p = 0.5 * (1 + math.erf(k / math.sqrt(k * k + 4) / math.sqrt(2)))  # P(INB > 0)
        assert abs(r["t2"][i] - p) <= 4 * math.sqrt(p * (1 - p) / n)
        assert r["t1"][i] + r["t2"][i] == pytest.approx(1.0)
    assert r["optimal"] == ["t2", "t2"]
    assert np.array_equal(r["frontier_probability"], r["t2"])


def test_net_monetary_benefit_has_a_column_per_strategy():
    costs = np.array([[100.0, 300.0], [200.0, 100.0]])
    effects = np.array([[1.0, 2.0], [1.5, 1.0]])
    r = hemsim.net_monetary_benefit(costs, effects, 1000, strategies=["A", "B"])
    assert list(r) == ["A", "B"]
    assert list(r["A"]) == [900.0, 1300.0]
    assert list(r["B"]) == [1700.0, 900.0]
    unnamed = hemsim.net_monetary_benefit(costs, effects, 1000)
    assert list(unnamed) == ["0", "1"]


def test_shapes_are_checked():
    with pytest.raises(ValueError):
        hemsim.evpi(np.zeros((3, 2)), np.zeros((3, 3)), [1.0])
    with pytest.raises(ValueError):
        hemsim.evpi(np.zeros(3), np.zeros(3), [1.0])
    with pytest.raises(ValueError):
        hemsim.net_monetary_benefit(np.zeros((2, 2)), np.zeros((2, 2)), 1.0, strategies=["only one"])

"""Decision outputs labelled by strategy (decision_outputs.hpp) through the Python module,
against independent answers: dampack's HERC example (shared/research/decision_cases.md),
the voi vignette's closed-form EVPI, numpy's own percentiles and hand-counted tables."""
import json
import math

import numpy as np
import pytest

import hemsim

HERC_NAMES = ["E", "D", "C", "B", "A", "UC"]
HERC_COSTS = np.array([55000, 35000, 25000, 10000, 12000, 5000.0])
HERC_EFFECTS = np.array([5, 4, 3, 2, 1.5, 1.0])


# ---- kstar --------------------------------------------------------------------------------


def test_optimal_strategy_switches_are_the_herc_frontier_icers():
    k = hemsim.optimal_strategy_switches(HERC_COSTS, HERC_EFFECTS, strategies=HERC_NAMES)
    assert isinstance(k, dict) and isinstance(k, hemsim.DecisionResult)
    assert list(k["wtp"]) == [5000, 12500, 20000]
    assert k["from"] == ["UC", "B", "D"]
    assert k["to"] == ["B", "D", "E"]
    assert json.loads(k.json) == [
        {"wtp": 5000, "from": "UC", "to": "B"},
        {"wtp": 12500, "from": "B", "to": "D"},
        {"wtp": 20000, "from": "D", "to": "E"},
    ]
    # Independently: the strategy of highest expected net benefit just either side.
    for wtp, before, after in zip(k["wtp"], k["from"], k["to"]):
        for lam, expected in ((wtp - 1, before), (wtp + 1, after)):
            assert HERC_NAMES[int(np.argmax(lam * HERC_EFFECTS - HERC_COSTS))] == expected


def test_optimal_strategy_switches_from_draws_use_their_means():
    rng = np.random.default_rng(5)
    noise_c = rng.normal(0, 1000, (50, 6))
    noise_e = rng.normal(0, 0.2, (50, 6))
    # Centre the noise so that the column means are the HERC values to rounding.
    costs = HERC_COSTS + noise_c - noise_c.mean(axis=0)
    effects = HERC_EFFECTS + noise_e - noise_e.mean(axis=0)
    k = hemsim.optimal_strategy_switches(costs, effects, strategies=HERC_NAMES)
    assert k["from"] == ["UC", "B", "D"] and k["to"] == ["B", "D", "E"]
    assert np.allclose(k["wtp"], [5000, 12500, 20000], rtol=1e-9)


def test_one_strategy_optimal_everywhere_has_no_switch():
    k = hemsim.optimal_strategy_switches(np.array([1.0, 2.0]), np.array([2.0, 1.0]), strategies=["cheap", "worse"])
    assert list(k["wtp"]) == [] and k["from"] == [] and json.loads(k.json) == []


# ---- dominated_by -------------------------------------------------------------------------------


def test_incremental_table_says_who_dominates():
    t = hemsim.incremental_table(HERC_NAMES, HERC_COSTS, HERC_EFFECTS)
    by = dict(zip(t["strategy"], t["dominated_by"]))
    # B is cheaper and more effective than A; C's ICER against B (15000) exceeds D's
    # against C (10000), so a mix of its neighbours B and D dominates it.
    assert by == {"UC": [], "B": [], "D": [], "E": [], "C": ["B", "D"], "A": ["B"]}
    rows = json.loads(t.json)["rows"]
    assert [r["strategy"] for r in rows] == t["strategy"]
    assert [r["dominated_by"] for r in rows] == t["dominated_by"]


# ---- expected loss ------------------------------------------------------------------------------

# voi vignette (decision_cases.md): INB of t2 over t1 ~ N(k, k^2 + 4) at threshold k.
EVPI = {1: 0.4798107063, 2: 0.3992824567, 3: 0.4094634160}


def voi_draws(n, seed=20181):
    rng = np.random.default_rng(seed)
    p1 = rng.normal(1.0, 1.0, n)
    p2 = rng.normal(0.0, 2.0, n)
    return np.column_stack([np.zeros(n), p2]), np.column_stack([np.zeros(n), p1]), p1, p2


def test_expected_loss_minimum_is_the_evpi():
    n = 100_000
    costs, effects, p1, p2 = voi_draws(n)
    wtp = [1.0, 2.0, 3.0]
    loss = hemsim.expected_loss_curves(costs, effects, wtp, strategies=["t1", "t2"])
    assert list(loss) == ["wtp", "t1", "t2"]
    evpi = hemsim.evpi(costs, effects, wtp)["evpi"]
    for i, k in enumerate([1, 2, 3]):
        # The same draws: the identity holds to rounding, not only in expectation.
        assert min(loss["t1"][i], loss["t2"][i]) == pytest.approx(evpi[i], rel=1e-9)
        inb = k * p1 - p2
        # Closed forms: t2 (optimal, E[INB] = k > 0) forgoes E[max(-INB, 0)] = EVPI; t1 forgoes
        # E[max(INB, 0)] = EVPI + k. Within 4 Monte Carlo standard errors.
        se2 = np.std(np.maximum(-inb, 0)) / math.sqrt(n)
        se1 = np.std(np.maximum(inb, 0)) / math.sqrt(n)
        assert abs(loss["t2"][i] - EVPI[k]) <= 4 * se2
        assert abs(loss["t1"][i] - (EVPI[k] + k)) <= 4 * se1
    parsed = json.loads(loss.json)
    assert parsed["wtp"] == wtp
    assert [c["strategy"] for c in parsed["curves"]] == ["t1", "t2"]
    assert parsed["curves"][1]["expected_loss"] == list(loss["t2"])


# ---- pairwise acceptability ---------------------------------------------------------------------


def test_pairwise_acceptability_on_a_hand_made_table():
    # No costs. Effects of A, B, C in four draws; at wtp 1 net benefit = effect.
    effects = np.array([[0.0, 1.0, 2.0], [0.0, 1.0, -1.0], [0.0, -1.0, 0.0], [0.0, 0.0, 3.0]])
    costs = np.zeros_like(effects)
    r = hemsim.pairwise_acceptability(costs, effects, [1.0], strategies=["A", "B", "C"])
    # Counted by hand (ties count one half):
    # B vs A: wins in draws 1, 2, tie in 4 -> 2.5 / 4; C vs A: wins 1, 4, tie 3 -> 2.5 / 4;
    # C vs B: wins 1, 3 (0 > -1), 4 -> 3 / 4.
    expected = {("B", "A"): 0.625, ("A", "B"): 0.375, ("C", "A"): 0.625, ("A", "C"): 0.375, ("C", "B"): 0.75, ("B", "C"): 0.25}
    got = {(s, c): p for s, c, p in zip(r["strategy"], r["comparator"], r["probability"])}
    assert got == expected
    assert list(r["wtp"]) == [1.0] * 6
    assert r.strategies == ["A", "B", "C"]
    cube = r.probability
    assert cube.shape == (1, 3, 3)
    assert np.array_equal(np.diag(cube[0]), [0.5, 0.5, 0.5])
    assert np.array_equal(cube[0] + cube[0].T, np.ones((3, 3)))  # (i, j) + (j, i) = 1
    pairs = json.loads(r.json)["pairs"]
    assert {(p["strategy"], p["comparator"]): p["probability"][0] for p in pairs} == expected


def test_pairwise_probabilities_of_two_strategies_are_the_ceac():
    costs, effects, _, _ = voi_draws(20_000)
    wtp = [0.0, 1.0, 3.0]
    r = hemsim.pairwise_acceptability(costs, effects, wtp, strategies=["t1", "t2"])
    ceac = hemsim.acceptability_curves(costs, effects, wtp, strategies=["t1", "t2"])
    assert np.allclose(r.probability[:, 1, 0], ceac["t2"], rtol=0, atol=1e-15)
    assert np.allclose(r.probability[:, 0, 1] + r.probability[:, 1, 0], 1.0, rtol=0, atol=1e-15)


# ---- comparisons against a reference ------------------------------------------------------------


def test_compare_with_reference_matches_numpy():
    rng = np.random.default_rng(11)
    n = 401
    costs = np.column_stack([rng.normal(1000, 100, n), rng.normal(3000, 400, n), rng.normal(2000, 300, n)])
    effects = np.column_stack([rng.normal(1, 0.05, n), rng.normal(2, 0.1, n), rng.normal(1, 0.3, n)])
    wtp = [1000.0, 5000.0]
    r = hemsim.compare_with_reference(costs, effects, "SoC", wtp, strategies=["SoC", "new", "other"], interval_level=0.9)
    assert r["strategy"] == ["new", "other"] and r.reference == "SoC" and r.interval_level == 0.9
    for row, k in enumerate([1, 2]):
        dc, de = costs[:, k] - costs[:, 0], effects[:, k] - effects[:, 0]
        # numpy's default percentile is R's type 7.
        assert r["incremental_cost"][row] == pytest.approx(dc.mean(), rel=1e-12)
        assert [r["incremental_cost_lower"][row], r["incremental_cost_upper"][row]] == pytest.approx(np.percentile(dc, [5, 95]), rel=1e-12)
        assert [r["incremental_effect_lower"][row], r["incremental_effect_upper"][row]] == pytest.approx(
            np.percentile(de, [5, 95]), rel=1e-12)
        assert r["icer"][row] == pytest.approx(dc.mean() / de.mean(), rel=1e-12)
        nb = r.incremental_net_benefit[r["strategy"][row]]
        for w, lam in enumerate(wtp):
            inb = lam * de - dc
            assert nb["mean"][w] == pytest.approx(inb.mean(), rel=1e-12)
            assert [nb["lower"][w], nb["upper"][w]] == pytest.approx(np.percentile(inb, [5, 95]), rel=1e-12)
    # "new" gains in every draw: an ICER interval; "other" gains or loses: none.
    assert (effects[:, 1] > effects[:, 0]).all()
    dc, de = costs[:, 1] - costs[:, 0], effects[:, 1] - effects[:, 0]
    assert [r["icer_lower"][0], r["icer_upper"][0]] == pytest.approx(np.percentile(dc / de, [5, 95]), rel=1e-12)
    assert math.isnan(r["icer_lower"][1]) and math.isnan(r["icer_upper"][1])
    parsed = json.loads(r.json)
    assert parsed["reference"] == "SoC" and parsed["wtp"] == wtp
    assert parsed["comparisons"][1]["icer_interval"] is None
    # The reference by column gives the same.
    assert hemsim.compare_with_reference(costs, effects, 0, wtp, strategies=["SoC", "new", "other"], interval_level=0.9).json == r.json


def test_compare_with_reference_of_herc_values_against_uc():
    r = hemsim.compare_with_reference(HERC_COSTS[None, :], HERC_EFFECTS[None, :], "UC", [10000], strategies=HERC_NAMES)
    row = r["strategy"].index("B")
    assert (r["incremental_cost"][row], r["incremental_effect"][row], r["icer"][row]) == (5000, 1, 5000)
    assert r["incremental_cost_lower"][row] == r["incremental_cost_upper"][row] == 5000  # one draw
    assert list(r.incremental_net_benefit["E"]["mean"]) == [10000 * 4 - 50000]


# ---- labelled acceptability curves and errors ---------------------------------------------------


def test_acceptability_curves_carry_the_labelled_json():
    costs = np.zeros((4, 2))
    effects = np.array([[0.0, 1.0], [0.0, 1.0], [0.0, -1.0], [0.0, 0.0]])
    r = hemsim.acceptability_curves(costs, effects, [1.0], strategies=["A", "B"])
    parsed = json.loads(r.json)
    assert parsed == {"wtp": [1.0], "curves": [{"strategy": "A", "probability": [0.375]}, {"strategy": "B", "probability": [0.625]}]}


def test_bad_arguments_are_value_errors():
    costs, effects = np.zeros((3, 2)), np.ones((3, 2))
    with pytest.raises(ValueError, match="'C'"):
        hemsim.compare_with_reference(costs, effects, "C", [1.0], strategies=["A", "B"])
    with pytest.raises(ValueError):
        hemsim.compare_with_reference(costs, effects, 2, [1.0], strategies=["A", "B"])
    with pytest.raises(ValueError):
        hemsim.compare_with_reference(costs, effects, "A", [1.0], strategies=["A", "B"], interval_level=1.0)
    with pytest.raises(ValueError):
        hemsim.expected_loss_curves(costs, effects, [-1.0], strategies=["A", "B"])
    with pytest.raises(ValueError):
        hemsim.pairwise_acceptability(costs, effects, [1.0], strategies=["A", "A"])
    with pytest.raises(ValueError):
        hemsim.optimal_strategy_switches(np.zeros(3), np.zeros(2))
    with pytest.raises(ValueError):
        hemsim.optimal_strategy_switches(costs, np.ones((3, 3)))

"""hemsim.psa and hemsim.dsa on the Alarid-Escudero et al. (2023) cohort model
(scenarios/validation/sick_sicker_intro_cohort.yaml), hemsim.price on Krijkamp et al.
(2018) (scenarios/validation/sick_sicker_microsim.yaml).

Published: Alarid-Escudero et al., Med Decis Making 2023;43:3-20, cost-effectiveness
table: soc 151580 / 20.711 QALYs, B 259100 / 22.184 QALYs. Checks here are identities the
analyses must satisfy with published numbers, not hemsim's own output.
"""
import gc
import math

import numpy as np
import pytest

import hemsim

INTRO = "scenarios/validation/sick_sicker_intro_cohort.yaml"
COST = {"soc": 151580, "B": 259100}
QALYS = {"soc": 20.711, "B": 22.184}


def test_psa_draws_tables_and_evppi():
    r = hemsim.psa(INTRO, draws=60, method="cohort", seed=3, evppi=["c_trtB", ["u_S1", "u_S2"]])
    assert r.strategies == ["soc", "A", "B", "AB"]
    assert r.costs.shape == (60, 4) and r.effects.shape == (60, 4)
    assert r.parameter_values.shape == (60, len(r.parameters))
    assert r.to_dict()["draws"] == 60
    # The draws spread around the published base case.
    assert abs(np.median(r.costs[:, 0]) - COST["soc"]) < 0.1 * COST["soc"]
    groups = r.evppi
    assert [g["parameters"] for g in groups] == [["c_trtB"], ["u_S1", "u_S2"]]
    for g in groups:
        # Partial information is worth no more than perfect information.
        assert np.all(g["evppi"] <= hemsim.evpi(r.costs, r.effects, list(g["wtp"]))["evpi"] + 4 * g["standard_error"] + 1e-9)
    long = r.table()
    assert len(long["draw"]) == 60 * 4 and long["strategy"][:4] == r.strategies


def test_psa_tables_are_read_only_views_that_outlive_the_result():
    costs = hemsim.psa(INTRO, draws=5, method="cohort").costs
    gc.collect()
    assert costs.shape == (5, 4) and np.all(costs > 0)
    assert not costs.flags.writeable


def test_psa_holds_a_set_value_fixed_in_every_draw():
    r = hemsim.psa(INTRO, draws=10, method="cohort", set={"c_trtB": 13000})
    column = r.parameters.index("c_trtB")
    assert np.all(r.parameter_values[:, column] == 13000)


def test_dsa_tornado():
    r = hemsim.dsa(INTRO, strategy="B", comparator="soc", wtp=100000, method="cohort")
    t = r.table()
    assert len(t["parameter"]) == 16
    assert list(t["swing"]) == sorted(t["swing"], reverse=True)
    # Incremental net benefit of B vs soc at the base case, from the published table.
    base_inmb = 100000 * (QALYS["B"] - QALYS["soc"]) - (COST["B"] - COST["soc"])
    d = r.to_dict()
    assert d["one_way"]["base"]["incremental_net_benefit"] == pytest.approx(base_inmb, abs=101)  # the published rounding
    row = t["parameter"].index("c_trtB")
    assert t["low_value"][row] == 10000 and t["high_value"][row] == 16000


# Krijkamp et al. 2018, Appendix C: treatment at c_Trt = 12000 a year has an ICER of
# 116901.380421 (full precision, shared/research/validation_cases.md) against no treatment.
SICK_SICKER = "scenarios/validation/sick_sicker_microsim.yaml"
KRIJKAMP_ICER = 116901.380421


def test_price_at_the_published_icer_is_the_published_price():
    r = hemsim.price(SICK_SICKER, "c_Trt", strategy="treatment", wtp=[50000, KRIJKAMP_ICER], method="cohort")
    t = r.table()
    assert list(t["wtp"]) == [50000, KRIJKAMP_ICER]
    assert t["next_best"] == ["no_treatment", "no_treatment"]
    assert t["price"][1] == pytest.approx(12000, rel=1e-6)
    # At the value-based price the ICER against the next best is the threshold.
    assert t["check_icer"][0] == pytest.approx(50000, rel=1e-6)
    assert t["price"][0] < t["price"][1]
    assert np.all(t["price_mcse"] == 0)  # cohort
    assert r.to_dict()["price_parameter"] == "c_Trt"


def test_price_does_not_depend_on_the_base_price_set():
    # Costs are linear in the price: starting from another base price, the same answer.
    moved = hemsim.price(SICK_SICKER, "c_Trt", strategy="treatment", wtp=[KRIJKAMP_ICER], method="cohort", set={"c_Trt": 5000})
    assert moved.table()["price"][0] == pytest.approx(12000, rel=1e-6)
    assert math.isfinite(moved.table()["price_mcse"][0])


def test_evppi_of_an_unsampled_parameter_is_an_input_error():
    with pytest.raises(hemsim.ScenarioError, match=r"evppi: 'p_HS1' is not a parameter with a PSA distribution"):
        hemsim.psa(INTRO, draws=40, method="cohort", evppi=["p_HS1"])  # derived, not drawn


def test_psa_sized_for_a_noise_share_matches_the_library_sizing():
    # max_noise_share runs the same pilots as `hemsim psa --max-noise-share`: the pilot of
    # 8 draws x 200 individuals sizes A's increments; the PSA then runs with that size,
    # and `sizing` reports the pilot's variances and the bound the size came from.
    r = hemsim.psa(INTRO, draws=12, individuals=200, seed=1, max_noise_share=0.3, noise_strategies=["A"], pilot_draws=8)
    s = r.sizing
    assert s["max_noise_share"] == 0.3 and s["confidence"] == 0.8 and s["pilot_draws"] == 8
    assert s["pilot_individuals"][0] == 200
    assert r.to_dict()["individuals"] == s["individuals"]
    assert [(inc["strategy"], inc["measure"]) for inc in s["increments"]] == [("A", "effects"), ("A", "costs")]
    for inc in s["increments"]:
        # noise / (noise + parameter) <= share  <=>  n >= within (1 - share) / (share x bound)
        assert inc["needed"] == pytest.approx(inc["within_variance"] * 0.7 / (0.3 * inc["parameter_lower"]), rel=1e-12)
        assert inc["parameter_lower"] < inc["parameter_variance"]
    assert s["individuals"] >= max(inc["needed"] for inc in s["increments"])
    assert hemsim.psa(INTRO, draws=12, individuals=200, seed=1).sizing is None


def test_psa_noise_share_out_of_range_is_a_scenario_error():
    with pytest.raises(hemsim.ScenarioError):
        hemsim.psa(INTRO, draws=12, individuals=200, max_noise_share=1.5)
    with pytest.raises(ValueError):
        hemsim.psa(INTRO, draws=12, individuals=200, max_noise_share=0)


def test_price_and_dsa_sized_to_a_target_mcse_are_plain_analyses_at_that_size():
    # As `hemsim price/dsa --target-mcse`: sized once on the base case, then every point
    # runs with that many individuals; the result is the plain analysis at that size.
    p = hemsim.price(SICK_SICKER, "c_Trt", strategy="treatment", wtp=[50000, 150000], individuals=2000, seed=2, target_mcse=200)
    s = p.precision
    assert s["met"] and s["achieved_mcse"] <= 200 and s["individuals_tried"][0] == 2000
    assert max(p.table()["price_mcse"]) == pytest.approx(s["achieved_mcse"], rel=1e-12)
    plain = hemsim.price(SICK_SICKER, "c_Trt", strategy="treatment", wtp=[50000, 150000], individuals=s["individuals"], seed=2)
    assert plain.precision is None and p.json == plain.json
    d = hemsim.dsa(INTRO, strategy="B", comparator="soc", wtp=100000, individuals=500, seed=2, target_mcse=5000)
    assert d.precision["met"] and d.precision["achieved_mcse"] <= 5000 and d.precision["individuals"] > 500
    assert d.json == hemsim.dsa(INTRO, strategy="B", comparator="soc", wtp=100000, individuals=d.precision["individuals"], seed=2).json

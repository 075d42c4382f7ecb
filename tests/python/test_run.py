"""hemsim.run: a published model reproduced, the README's call, set= and results as columns.

Krijkamp EM et al. Microsimulation modeling for health decision sciences using R: a
tutorial. Med Decis Making 2018;38(3):400-22, Appendix C (cohort Sick-Sicker model):
No Treatment 75976 / 15.839 QALYs, Treatment 141623 / 16.400 QALYs, ICER 116901. Full
precision (recomputed from the paper's inputs, shared/research/validation_cases.md):
No Treatment cost 75976.149140, QALYs 15.83884781.
"""
import json
import math
import os
import subprocess

import numpy as np
import pytest

import hemsim

SICK_SICKER = "scenarios/validation/sick_sicker_microsim.yaml"
BMSC = "scenarios/bmsc_cipn.yaml"

PUBLISHED_COST = {"no_treatment": 75976, "treatment": 141623}
PUBLISHED_QALYS = {"no_treatment": 15.839, "treatment": 16.400}
PUBLISHED_ICER = 116901
EXACT_COST_NO_TREATMENT = 75976.149140
EXACT_QALYS_NO_TREATMENT = 15.83884781


def test_cohort_reproduces_krijkamp_2018_appendix_c():
    r = hemsim.run(SICK_SICKER, method="cohort")
    t = r.table()
    assert t["strategy"] == ["no_treatment", "treatment"]
    for k, name in enumerate(t["strategy"]):
        assert abs(t["cost"][k] - PUBLISHED_COST[name]) <= 0.5  # the published rounding
        assert abs(t["qalys"][k] - PUBLISHED_QALYS[name]) <= 0.0005
    icer = (t["cost"][1] - t["cost"][0]) / (t["qalys"][1] - t["qalys"][0])
    assert abs(icer - PUBLISHED_ICER) <= 0.5
    assert np.all(t["cost_mcse"] == 0)  # a cohort has no Monte Carlo error


def test_microsimulation_agrees_with_the_exact_expectation_within_mcse():
    r = hemsim.run(SICK_SICKER, individuals=20000, seed=2018, threads=2)
    t = r.table()
    assert t["cost_mcse"][0] > 0
    assert abs(t["cost"][0] - EXACT_COST_NO_TREATMENT) <= 4 * t["cost_mcse"][0]
    assert abs(t["qalys"][0] - EXACT_QALYS_NO_TREATMENT) <= 4 * t["qalys_mcse"][0]
    assert r.individuals == 20000 and r.seed == 2018 and r.method == "microsimulation"


def test_results_do_not_depend_on_threads():
    one = hemsim.run(SICK_SICKER, individuals=3000, seed=5, threads=1)
    two = hemsim.run(SICK_SICKER, individuals=3000, seed=5, threads=2)
    assert one.json == two.json


def test_json_and_dict_and_table_agree():
    r = hemsim.run(SICK_SICKER, method="cohort")
    d = r.to_dict()
    assert d == json.loads(r.json)
    t = r.table()
    assert [s["name"] for s in d["strategies"]] == t["strategy"] == r.strategies
    assert d["strategies"][1]["qalys"]["discounted"]["mean"] == t["qalys"][1]
    # A dict of equal-length columns: what pandas.DataFrame(r.table()) takes.
    assert len({len(column) for column in t.values()}) == 1
    assert isinstance(t["cost"], np.ndarray)


def test_pandas_takes_the_table_when_installed():
    pandas = pytest.importorskip("pandas")
    frame = pandas.DataFrame(hemsim.run(SICK_SICKER, method="cohort").table())
    assert list(frame["strategy"]) == ["no_treatment", "treatment"]


def test_incremental_table_of_a_run():
    t = hemsim.run(SICK_SICKER, method="cohort").incremental_table()
    assert t["strategy"] == ["no_treatment", "treatment"]
    assert t["status"] == ["ND", "ND"]
    assert t["compared_with"] == [None, "no_treatment"]
    assert math.isnan(t["icer"][0])
    assert abs(t["icer"][1] - PUBLISHED_ICER) <= 0.5


def category_cost(result, strategy, category):
    d = result.to_dict()
    k = d["strategies"].index(next(s for s in d["strategies"] if s["name"] == strategy))
    i = d["cost_categories"].index(category)
    return d["strategies"][k]["costs_by_category"][i]["discounted"]["mean"]


def test_readme_call_sets_the_price():
    # The price does not change anyone's course, and the same seed gives the same
    # individuals: the cell's costs are linear in its price, the rest is unchanged.
    at_20000 = hemsim.run(BMSC, individuals=10000, set={"bmsc_price": 20000})
    at_30000 = hemsim.run(BMSC, individuals=10000)  # the scenario's base price
    assert hemsim.load(BMSC).parameters.count("bmsc_price") == 1
    ratio = category_cost(at_20000, "bmsc", "bmsc") / category_cost(at_30000, "bmsc", "bmsc")
    assert ratio == pytest.approx(20000 / 30000, rel=1e-12)
    assert np.array_equal(at_20000.table()["qalys"], at_30000.table()["qalys"])


def test_set_accepts_a_formula():
    as_number = hemsim.run(SICK_SICKER, method="cohort", set={"c_Trt": 6000})
    as_formula = hemsim.run(SICK_SICKER, method="cohort", set={"c_Trt": "c_S1 + 2000"})  # c_S1 is 4000
    assert as_number.table()["cost"][1] == pytest.approx(as_formula.table()["cost"][1], rel=1e-12)
    # Treatment free: the two strategies cost the same (treatment changes only its own cost).
    free = hemsim.run(SICK_SICKER, method="cohort", set={"c_Trt": 0}).table()
    assert free["cost"][1] == pytest.approx(free["cost"][0], rel=1e-12)


def test_a_loaded_scenario_is_reusable():
    s = hemsim.load(SICK_SICKER)
    assert s.strategies == ["no_treatment", "treatment"]
    assert hemsim.run(s, method="cohort").json == hemsim.run(SICK_SICKER, method="cohort").json


def test_same_numbers_as_the_command(tmp_path):
    cli = os.environ.get("HEMSIM_CLI")
    if not cli:
        pytest.skip("HEMSIM_CLI (the built hemsim command) is set by CTest")
    out = tmp_path / "run"
    subprocess.run([cli, "run", BMSC, "-n", "3000", "--seed", "11", "--quiet", "--out", str(out)], check=True)
    with open(out / "results.json") as f:
        from_command = json.load(f)
    # The command records how it was made (its command line, input hashes); the numbers
    # and everything else are the same.
    assert from_command.pop("provenance")["command"].startswith("hemsim run ")
    assert hemsim.run(BMSC, individuals=3000, seed=11).to_dict() == from_command


def test_run_to_a_target_mcse_is_a_plain_run_with_the_individuals_it_reports():
    # As `hemsim run --target-mcse`: a pilot of 2,000 individuals, then a run sized to the
    # target; the result is the plain run with that many individuals and the same seed.
    scenario = "scenarios/validation/sick_sicker_microsim.yaml"
    r = hemsim.run(scenario, individuals=2000, seed=3, target_mcse=0.003)
    p = r.precision
    assert p["met"] and p["achieved_mcse"] <= 0.003 and p["measure"] == "effects"
    assert p["individuals_tried"][0] == 2000 and p["individuals_tried"][-1] == p["individuals"] > 2000
    assert r.to_dict()["individuals"] == p["individuals"]
    plain = hemsim.run(scenario, individuals=p["individuals"], seed=3)
    assert plain.precision is None
    assert r.json == plain.json
    with pytest.raises(ValueError):
        hemsim.run(scenario, individuals=2000, target_mcse=0.01, target_measure="qalys")
